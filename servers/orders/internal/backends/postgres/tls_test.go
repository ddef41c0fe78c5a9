package postgres

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// A remote database without verified TLS is warned about at start (the
// pool connects lazily: nothing is dialled here).
func TestWarnsWithoutVerifiedTLS(t *testing.T) {
	for url, warn := range map[string]bool{
		"postgres://u:pw@db.example:5432/shop?sslmode=require":     true,
		"postgres://u:pw@db.example:5432/shop":                     true,
		"postgres://u:pw@db.example:5432/shop?sslmode=verify-full": false,
		"postgres://u:pw@127.0.0.1:5432/shop?sslmode=disable":      false,
		"postgres://u:pw@localhost:5432/shop?sslmode=disable":      false,
		"postgres://u:pw@[::1]:5432/shop?sslmode=disable":          false,
		"postgres://u:pw@/shop?host=/var/run/postgresql":           false,
	} {
		var buf bytes.Buffer
		c, err := LoadConfig("orders-mcp", map[string]string{"ORDERS_DATABASE_URL": url})
		if err != nil {
			t.Fatalf("%s: %v", url, err)
		}
		a, err := Open(c, "orders-mcp", slog.New(slog.NewJSONHandler(&buf, nil)))
		if err != nil {
			t.Fatal(err)
		}
		a.Close()
		if got := strings.Contains(buf.String(), "sslmode=verify-full"); got != warn {
			t.Errorf("%s: warned %v: %s", url, got, buf.String())
		}
		if strings.Contains(buf.String(), "pw") {
			t.Errorf("%s: the password was logged", url)
		}
	}
}

func TestUnreadableTLSFiles(t *testing.T) {
	_, err := LoadConfig("orders-mcp", map[string]string{"ORDERS_DATABASE_URL": "postgres://u:pw@db.example/shop?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem"})
	if err == nil || !strings.Contains(err.Error(), "sslrootcert") || strings.Contains(err.Error(), "pw") {
		t.Errorf("%v", err)
	}
}

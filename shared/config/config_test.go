package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"
)

var spec = Spec{Binary: "crm-mcp", Prefix: "CRM_", Usage: "crm-mcp: test"}

type noExtra struct{}

func TestDefaults(t *testing.T) {
	c, err := Load[noExtra](spec, nil, []string{"CRM_API_URL=http://127.0.0.1:9000/crm"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Transport != "stdio" || c.Addr != "127.0.0.1:8080" || c.CallTimeout != 10*time.Second || c.Backend.MaxRetries != 3 {
		t.Errorf("defaults: %+v", c)
	}
}

func TestFlagsOverrideEnv(t *testing.T) {
	c, err := Load[noExtra](spec, []string{"--transport", "http", "--addr", "127.0.0.1:0", "--call-timeout", "3s"},
		[]string{"MCP_TRANSPORT=stdio", "MCP_CALL_TIMEOUT=20s", "CRM_API_URL=http://x/crm"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Transport != "http" || c.CallTimeout != 3*time.Second {
		t.Errorf("%+v", c.Base)
	}
}

func TestMissingBackendURLNamesVariableAndDemo(t *testing.T) {
	_, err := Load[noExtra](spec, nil, nil, &bytes.Buffer{})
	var ue *UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "CRM_API_URL") || !strings.Contains(err.Error(), "--demo") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("got %v", err)
	}
	if _, err := Load[noExtra](spec, []string{"--demo"}, nil, &bytes.Buffer{}); err != nil {
		t.Errorf("--demo needs no URL: %v", err)
	}
}

func TestValidation(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  []string
		want string
	}{
		{[]string{"--transport", "ws"}, nil, "stdio or http"},
		{[]string{"--transport", "http", "--addr", "nope"}, nil, "HOST:PORT"},
		{[]string{"--log-level", "loud"}, nil, "log level"},
		{nil, []string{"MCP_CALL_TIMEOUT=-1s"}, "positive"},
		{nil, []string{"MCP_CALL_TIMEOUT=soon"}, "MCP_CALL_TIMEOUT"},
		{[]string{"--api-url", "ftp://x"}, nil, "http(s)"},
		{[]string{"stray"}, nil, "unexpected argument"},
		{[]string{"--bogus"}, nil, "bogus"},
		{nil, []string{"MCP_WRITE_MODE=preview"}, "MCP_WRITE_MODE must be off, dry-run, approve or on"},
		{nil, []string{"MCP_REDIS_URL=redis://127.0.0.1:1", "MCP_WRITE_MODE=approve"}, "MCP_APPROVAL_SECRET is required"},
	} {
		env := append([]string{"CRM_API_URL=http://x/crm"}, tc.env...)
		_, err := Load[noExtra](spec, tc.args, env, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v %v: got %v, want %q", tc.args, tc.env, err, tc.want)
		}
	}
}

type withSecret struct {
	Webhook Secret `env:"WEBHOOK_SECRET"`
	Quota   int    `env:"SEND_QUOTA" envDefault:"5"`
}

func (w *withSecret) Validate() error {
	if w.Quota < 1 {
		return errors.New("CRM_SEND_QUOTA must be at least 1")
	}
	return nil
}

func TestSecretsNeverPrint(t *testing.T) {
	c, err := Load[withSecret](spec, nil, []string{"CRM_API_URL=http://x/crm", "CRM_API_TOKEN=tok-123", "CRM_WEBHOOK_SECRET=hook-456"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Backend.Token.Reveal() != "tok-123" || c.Extra.Webhook.Reveal() != "hook-456" {
		t.Fatal("secrets not loaded")
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", c.LogAttrs()...)
	j, _ := json.Marshal(c)
	all := buf.String() + string(j) + fmt.Sprintf("%v %+v %#v %s", c, c, c.Backend, c.Backend.Token)
	if strings.Contains(all, "tok-123") || strings.Contains(all, "hook-456") {
		t.Fatalf("secret leaked: %s", all)
	}
	if _, err := Load[withSecret](spec, nil, []string{"CRM_API_URL=http://x/crm", "CRM_SEND_QUOTA=0"}, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "SEND_QUOTA") {
		t.Errorf("extra validation: %v", err)
	}
}

func TestHelpAndVersion(t *testing.T) {
	var out bytes.Buffer
	if _, err := Load[noExtra](spec, []string{"--help"}, nil, &out); !errors.Is(err, ErrHelp) || !strings.Contains(out.String(), "-transport") || !strings.Contains(out.String(), "CRM_API_TOKEN") {
		t.Errorf("help: %v %s", err, out.String())
	}
	c, err := Load[noExtra](spec, []string{"--version"}, nil, &out)
	if err != nil || !c.ShowVersion {
		t.Errorf("version: %v", err)
	}
}

func TestHTTPOnNonLoopbackNeedsAuth(t *testing.T) {
	base := []string{"CRM_API_URL=http://x/crm"}
	_, err := Load[noExtra](spec, []string{"--transport", "http", "--addr", "0.0.0.0:8080"}, base, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "MCP_INSECURE_NO_AUTH") {
		t.Fatalf("got %v", err)
	}
	for _, env := range [][]string{
		{"MCP_INSECURE_NO_AUTH=true"},
		{"MCP_AUTH_ISSUER=https://id.example.com", "MCP_RESOURCE_URL=https://crm.example.com/mcp"},
	} {
		if _, err := Load[noExtra](spec, []string{"--transport", "http", "--addr", "0.0.0.0:8080"}, append(env, base...), &bytes.Buffer{}); err != nil {
			t.Errorf("%v: %v", env, err)
		}
	}
	if _, err := Load[noExtra](spec, []string{"--transport", "http", "--addr", "127.0.0.1:8080"}, base, &bytes.Buffer{}); err != nil {
		t.Errorf("loopback needs no auth: %v", err)
	}
	for _, env := range [][]string{
		{"MCP_AUTH_ISSUER=https://id.example.com"},
		{"MCP_AUTH_ISSUER=http://id.example.com", "MCP_RESOURCE_URL=https://crm.example.com/mcp"},
	} {
		if _, err := Load[noExtra](spec, nil, append(env, base...), &bytes.Buffer{}); err == nil {
			t.Errorf("%v accepted", env)
		}
	}
}

func TestSecretStrength(t *testing.T) {
	base := []string{"CRM_API_URL=http://127.0.0.1:9000/crm"}
	for _, name := range []string{"MCP_APPROVAL_SECRET", "MCP_CURSOR_SECRET"} {
		_, err := Load[noExtra](spec, nil, append(base, name+"=short-secret"), &bytes.Buffer{})
		var ue *UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "at least 32") || strings.Contains(err.Error(), "short-secret") {
			t.Errorf("%s too short: %v", name, err)
		}
		if _, err := Load[noExtra](spec, nil, append(base, name+"="+strings.Repeat("k", 32)), &bytes.Buffer{}); err != nil {
			t.Errorf("%s of 32 bytes: %v", name, err)
		}
	}
}

func TestTrustedProxiesValidated(t *testing.T) {
	base := []string{"CRM_API_URL=http://127.0.0.1:9000/crm"}
	c, err := Load[noExtra](spec, nil, append(base, "MCP_TRUSTED_PROXIES=10.0.0.0/8, 192.0.2.1,2001:db8::/32"), &bytes.Buffer{})
	if err != nil || len(c.TrustedProxies) != 3 {
		t.Fatalf("%v %v", c, err)
	}
	if _, err := Load[noExtra](spec, nil, append(base, "MCP_TRUSTED_PROXIES=10.0.0.0/33"), &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "MCP_TRUSTED_PROXIES") {
		t.Errorf("bad CIDR: %v", err)
	}
}

// Credentials inside *_API_URL never reach the log.
func TestAPIURLCredentialsRedacted(t *testing.T) {
	c, err := Load[noExtra](spec, nil, []string{"CRM_API_URL=https://svc:hunter2-pass@crm.example.com/api?api_key=sk-live-123&x=1"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("starting", c.LogAttrs()...)
	out := buf.String()
	for _, secret := range []string{"hunter2-pass", "sk-live-123", "svc:"} {
		if strings.Contains(out, secret) {
			t.Errorf("log shows %q: %s", secret, out)
		}
	}
	if !strings.Contains(out, "crm.example.com/api") {
		t.Errorf("log lost the host: %s", out)
	}
	_, err = Load[noExtra](spec, nil, []string{"CRM_API_URL=ftp://u:topsecret@x/"}, &bytes.Buffer{})
	if err == nil || strings.Contains(err.Error(), "topsecret") {
		t.Errorf("validation error shows the password: %v", err)
	}
}

func TestWriteModeOffIsReadOnly(t *testing.T) {
	for _, tc := range []struct {
		env      []string
		mode     string
		readOnly bool
	}{
		{nil, "on", false},
		{[]string{"MCP_WRITE_MODE=off"}, "off", true},
		{[]string{"MCP_READ_ONLY=true"}, "off", true},
		{[]string{"MCP_READ_ONLY=true", "MCP_WRITE_MODE=dry-run"}, "off", true},
		{[]string{"MCP_WRITE_MODE=dry-run"}, "dry-run", false},
	} {
		c, err := Load[noExtra](spec, nil, append([]string{"CRM_API_URL=http://x/crm"}, tc.env...), &bytes.Buffer{})
		if err != nil || c.WriteMode != tc.mode || c.ReadOnly != tc.readOnly {
			t.Errorf("%v: mode %q read-only %v, %v", tc.env, c.WriteMode, c.ReadOnly, err)
		}
	}
}

func TestBooleansUsualSpellings(t *testing.T) {
	spec := Spec{Binary: "crm-mcp", Prefix: "CRM_", Usage: "x"}
	for v, want := range map[string]bool{"yes": true, "on": true, "1": true, "TRUE": true, "no": false, "off": false, "0": false, "False": false} {
		c, err := Load[noExtra](spec, nil, []string{"MCP_DEMO=" + v, "CRM_API_URL=http://127.0.0.1:9/crm"}, &bytes.Buffer{})
		if err != nil || c.Demo != want {
			t.Errorf("MCP_DEMO=%s: demo %v, err %v; want %v", v, c != nil && c.Demo, err, want)
		}
	}
	c, err := Load[noExtra](spec, []string{"--demo=yes", "--read-only=off"}, []string{"MCP_READ_ONLY=on"}, &bytes.Buffer{})
	if err != nil || !c.Demo || c.ReadOnly {
		t.Fatalf("--demo=yes --read-only=off: %+v %v", c, err)
	}
	_, err = Load[noExtra](spec, nil, []string{"MCP_DEMO=maybe"}, &bytes.Buffer{})
	var ue *UsageError
	if !errors.As(err, &ue) || ue.Msg != `crm-mcp: MCP_DEMO: "maybe" is not a boolean: use true/false, yes/no, on/off or 1/0` {
		t.Fatalf("MCP_DEMO=maybe: %v", err)
	}
}

type helped struct {
	Quota int  `env:"QUOTA" envDefault:"20" help:"messages per hour"`
	Flag  bool `env:"FLAG"`
}

// --help lists every setting of every struct once, flags with their
// variables, and nothing goes anywhere but out; a bad flag is one error.
func TestHelpListsEverySettingOnce(t *testing.T) {
	spec := Spec{Binary: "crm-mcp", Prefix: "CRM_", Usage: "crm-mcp: test.", Backends: func() string { return "  reference (default): x\n" }}
	var out bytes.Buffer
	if _, err := Load[helped](spec, []string{"--help"}, nil, &out); !errors.Is(err, ErrHelp) {
		t.Fatalf("--help: %v", err)
	}
	help := out.String()
	var names []string
	for _, part := range []any{&Base{}, &Backend{}, &helped{}} {
		rt := reflect.TypeOf(part).Elem()
		prefix := "CRM_"
		if rt == reflect.TypeOf(Base{}) {
			prefix = ""
		}
		for i := 0; i < rt.NumField(); i++ {
			if key, _, _ := strings.Cut(rt.Field(i).Tag.Get("env"), ","); key != "" {
				names = append(names, prefix+key)
				if rt != reflect.TypeOf(helped{}) && rt.Field(i).Tag.Get("help") == "" {
					t.Errorf("%s.%s has no help tag", rt.Name(), rt.Field(i).Name)
				}
			}
		}
	}
	for _, n := range names {
		if c := strings.Count(help, "  "+n+" ") + strings.Count(help, "  "+n+"\n") + strings.Count(help, "("+n+")") + strings.Count(help, "("+n+","); c != 1 {
			t.Errorf("%s appears %d times in --help, want 1:\n%s", n, c, help)
		}
	}
	for _, want := range []string{"--transport stdio|http", "--demo\n", "CRM_QUOTA (default 20)\n      messages per hour", "Backends (--backend NAME or CRM_BACKEND):"} {
		if !strings.Contains(help, want) {
			t.Errorf("--help lacks %q", want)
		}
	}
	out.Reset()
	_, err := Load[helped](spec, []string{"--nope"}, nil, &out)
	if err == nil || out.Len() != 0 || strings.Count(err.Error(), "\n") != 0 {
		t.Fatalf("bad flag: err %v, output %q (want one error line, no output)", err, out.String())
	}
}

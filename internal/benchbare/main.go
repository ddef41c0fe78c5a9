// Command benchbare is the floor the benchmark report compares each server
// with: a bare go-sdk server whose one typed tool makes the same backend
// request as the server's tool and returns the backend's JSON as is — no
// sanitizing, compression, rate limits, audit or metrics. It serves stdio,
// or streamable HTTP at /mcp with the SDK's default options when given
// --addr HOST:PORT.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

type in struct {
	Path string `json:"path"`
}

type out struct {
	Record map[string]any `json:"record"`
}

func main() {
	addr := flag.String("addr", "", "serve streamable HTTP on this address (default: stdio)")
	flag.Parse()
	base := os.Getenv("BARE_BACKEND_URL")
	hc := &http.Client{}
	srv := mcp.NewServer(&mcp.Implementation{Name: "benchbare", Version: "1"}, nil)
	mcp.AddTool(srv, &mcp.Tool{Name: "bare_get", Description: "GET a backend path"}, func(ctx context.Context, _ *mcp.CallToolRequest, a in) (*mcp.CallToolResult, out, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+a.Path, nil)
		if err != nil {
			return nil, out{}, err
		}
		resp, err := hc.Do(req)
		if err != nil {
			return nil, out{}, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			return nil, out{}, fmt.Errorf("status %d", resp.StatusCode)
		}
		var o out
		if err := json.NewDecoder(resp.Body).Decode(&o.Record); err != nil {
			return nil, out{}, err
		}
		return nil, o, nil
	})
	if *addr != "" {
		h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv }, nil)
		mux := http.NewServeMux()
		mux.Handle("/mcp", h)
		log.Fatal(http.ListenAndServe(*addr, mux))
	}
	if err := srv.Run(context.Background(), &mcp.StdioTransport{}); err != nil {
		os.Exit(1)
	}
}

package mcpkit

import (
	"sync"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// registry keeps the tools AddTool registered, per server, until the
// server's builder takes them: the SDK offers no way to read a server's
// tools back short of a client session, which costs milliseconds at start.
var registry = struct {
	sync.Mutex
	m map[*mcp.Server][]*mcp.Tool
}{m: map[*mcp.Server][]*mcp.Tool{}}

func record(s *mcp.Server, t *mcp.Tool) {
	registry.Lock()
	defer registry.Unlock()
	registry.m[s] = append(registry.m[s], t)
}

// TakeTools returns the tools AddTool registered on s, in order, and
// forgets them. Tools registered on s another way are not included
// (apptest checks that every server's tools go through AddTool).
func TakeTools(s *mcp.Server) []*mcp.Tool {
	registry.Lock()
	defer registry.Unlock()
	ts := registry.m[s]
	delete(registry.m, s)
	return ts
}

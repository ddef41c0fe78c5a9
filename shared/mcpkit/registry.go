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

// toolIcons are the icons AddTool gives a server's tools that have none of
// their own (the server's icon: the tool belongs to its business system).
var toolIcons = struct {
	sync.Mutex
	m map[*mcp.Server][]mcp.Icon
}{m: map[*mcp.Server][]mcp.Icon{}}

// SetToolIcons makes icons the default icons of the tools AddTool registers
// on s from now on. The server's builder calls it before registering tools.
func SetToolIcons(s *mcp.Server, icons []mcp.Icon) {
	toolIcons.Lock()
	defer toolIcons.Unlock()
	if len(icons) == 0 {
		delete(toolIcons.m, s)
		return
	}
	toolIcons.m[s] = icons
}

func defaultIcons(s *mcp.Server) []mcp.Icon {
	toolIcons.Lock()
	defer toolIcons.Unlock()
	return toolIcons.m[s]
}

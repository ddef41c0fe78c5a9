// Package serverlist is the one list of bizmcp servers for Go tests and
// tools: the folders under servers/ that hold a main.go. Adding a server is
// adding its folder; nothing else names the set (the Makefile, the Helm
// chart's values schema and the scripts derive it from the same folders).
package serverlist

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Server is one server folder and the names derived from it.
type Server struct {
	Name   string // folder name and domain: "crm"
	Binary string // "crm-mcp"
	Prefix string // environment prefix: "CRM_"
	Dir    string // absolute path of servers/<name>
}

// Root returns the repository root: the nearest directory at or above the
// working directory holding go.mod and a servers/ folder. BIZMCP_ROOT wins.
func Root() (string, error) {
	if r := os.Getenv("BIZMCP_ROOT"); r != "" {
		return r, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if isRoot(dir) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("serverlist: no bizmcp checkout (go.mod with servers/) at or above the working directory; set BIZMCP_ROOT")
		}
		dir = parent
	}
}

func isRoot(dir string) bool {
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		return false
	}
	st, err := os.Stat(filepath.Join(dir, "servers"))
	return err == nil && st.IsDir()
}

// In lists the servers under root/servers, sorted by name.
func In(root string) ([]Server, error) {
	matches, err := filepath.Glob(filepath.Join(root, "servers", "*", "main.go"))
	if err != nil {
		return nil, err
	}
	var out []Server
	for _, m := range matches {
		dir := filepath.Dir(m)
		out = append(out, Of(filepath.Base(dir), dir))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("serverlist: no servers/*/main.go under %s", root)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Of derives a server's binary and prefix from its name.
func Of(name, dir string) Server {
	return Server{Name: name, Binary: name + "-mcp", Prefix: strings.ToUpper(strings.ReplaceAll(name, "-", "_")) + "_", Dir: dir}
}

// All lists the servers of the checkout around the working directory.
func All() ([]Server, error) {
	root, err := Root()
	if err != nil {
		return nil, err
	}
	return In(root)
}

// Names lists the server names of the checkout around the working directory.
func Names() ([]string, error) {
	all, err := All()
	if err != nil {
		return nil, err
	}
	names := make([]string, len(all))
	for i, s := range all {
		names[i] = s.Name
	}
	return names, nil
}

package config

import (
	"flag"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"
	"unicode"

	"github.com/caarlos0/env/v11"
)

// ParseBool reads a boolean setting in any of the usual spellings: true,
// false, yes, no, on, off, 1, 0 (any case).
func ParseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "on", "1", "t", "y":
		return true, nil
	case "false", "no", "off", "0", "f", "n", "":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a boolean: use true/false, yes/no, on/off or 1/0", s)
}

// envOptions are the caarlos0/env options of every settings struct: the
// given environment and prefix, and ParseBool for booleans.
func envOptions(environ map[string]string, prefix string) env.Options {
	return env.Options{
		Environment: environ,
		Prefix:      prefix,
		FuncMap: map[reflect.Type]env.ParserFunc{
			reflect.TypeOf(false): func(v string) (any, error) { return ParseBool(v) },
		},
	}
}

// boolFlag is a boolean flag that accepts ParseBool's spellings
// (--demo, --demo=yes, --demo=off).
type boolFlag struct{ p *bool }

func (b boolFlag) String() string {
	if b.p == nil {
		return "false"
	}
	return fmt.Sprint(*b.p)
}
func (b boolFlag) Set(s string) error {
	v, err := ParseBool(s)
	if err != nil {
		return err
	}
	*b.p = v
	return nil
}
func (b boolFlag) IsBoolFlag() bool { return true }

// setting is one line of --help: an environment variable, its flag (if
// any), default and meaning, read from the struct tags.
type setting struct {
	env, flag, placeholder, def, help string
}

// collect lists the settings of the struct v points to (under prefix) and
// registers the fields with a flag tag on fs.
func collect(v any, prefix string, fs *flag.FlagSet) []setting {
	rv := reflect.ValueOf(v).Elem()
	rt := rv.Type()
	if rt.Kind() != reflect.Struct {
		return nil
	}
	var out []setting
	for i := 0; i < rt.NumField(); i++ {
		f := rt.Field(i)
		if !f.IsExported() {
			continue
		}
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			out = append(out, collect(rv.Field(i).Addr().Interface(), prefix, fs)...)
			continue
		}
		key, _, _ := strings.Cut(f.Tag.Get("env"), ",")
		if key == "" {
			continue
		}
		s := setting{env: prefix + key, def: f.Tag.Get("envDefault"), help: f.Tag.Get("help")}
		if s.help == "" {
			s.help = words(f.Name)
		}
		if ft := f.Tag.Get("flag"); ft != "" {
			s.flag, s.placeholder, _ = strings.Cut(ft, " ")
			usage := s.help + " (env " + s.env + ")"
			switch p := rv.Field(i).Addr().Interface().(type) {
			case *string:
				fs.StringVar(p, s.flag, *p, usage)
			case *bool:
				fs.Var(boolFlag{p}, s.flag, usage)
			case *time.Duration:
				fs.DurationVar(p, s.flag, *p, usage)
			case *int:
				fs.IntVar(p, s.flag, *p, usage)
			default:
				panic(fmt.Sprintf("config: flag tag on %s of unsupported type %s", f.Name, f.Type))
			}
		}
		out = append(out, s)
	}
	return out
}

// words turns a Go field name into words, for a setting without a help tag.
func words(name string) string {
	var b strings.Builder
	for i, r := range name {
		if i > 0 && unicode.IsUpper(r) && !unicode.IsUpper(rune(name[i-1])) {
			b.WriteByte(' ')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// writeHelp prints --help: usage, commands, flags, every setting, backends.
func writeHelp(out io.Writer, spec Spec, settings []setting) {
	fmt.Fprintf(out, "%s\n\nUsage: %s [flags]\n", spec.Usage, spec.Binary)
	if c := text(spec.Commands); c != "" {
		fmt.Fprintf(out, "       %s COMMAND [flags]\n\nCommands:\n%s", spec.Binary, c)
	}
	fmt.Fprintf(out, "\nFlags (each also an environment variable; the flag wins):\n")
	for _, st := range settings {
		if st.flag != "" {
			fmt.Fprintf(out, "  --%s\n      %s (%s%s)\n", strings.TrimSpace(st.flag+" "+st.placeholder), st.help, st.env, defaultText(st.def))
		}
	}
	fmt.Fprintf(out, "  --version\n      print the version and exit\n  --help\n      print this help and exit\n")
	fmt.Fprintf(out, "\nEnvironment (besides the flags' variables; booleans take true/false, yes/no, on/off or 1/0):\n")
	for _, st := range settings {
		if st.flag == "" {
			def := ""
			if st.def != "" {
				def = " (default " + st.def + ")"
			}
			fmt.Fprintf(out, "  %s%s\n      %s\n", st.env, def, st.help)
		}
	}
	if b := text(spec.Backends); b != "" {
		fmt.Fprintf(out, "\nBackends (--backend NAME or %sBACKEND):\n%s", spec.Prefix, b)
	}
}

func defaultText(d string) string {
	if d == "" {
		return ""
	}
	return ", default " + d
}

func text(f func() string) string {
	if f == nil {
		return ""
	}
	return f()
}

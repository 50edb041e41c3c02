package cli

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// Set at build time with -ldflags "-X github.com/autogql/autogql/internal/cli.version=v1.2.3 …".
var (
	version = "dev"
	commit  = ""
	date    = ""
)

// Version returns the build's version, commit and build date.
func Version() (v, c, d string) {
	v, c, d = version, commit, date
	if info, ok := debug.ReadBuildInfo(); ok {
		if v == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			switch {
			case s.Key == "vcs.revision" && c == "":
				c = s.Value
			case s.Key == "vcs.time" && d == "":
				d = s.Value
			}
		}
	}
	return v, c, d
}

func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flagSet("version", "version", stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	v, c, d := Version()
	fmt.Fprintf(stdout, "autogql %s (commit %s, built %s, %s %s/%s)\n", v, orNone(c), orNone(d), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

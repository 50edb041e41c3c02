// Package cli implements the autogql command line: one file per
// subcommand, each parsing its own flags and calling into the packages
// below (server, migrate, seed, gqlschema). It is the only place that
// handles signals and process exit codes.
//
// Exit codes: 0 success; 1 the command failed (invalid models file,
// database unreachable, …); 2 usage error (unknown command or flag).
package cli

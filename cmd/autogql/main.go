// Command autogql serves a GraphQL API generated from a models.yaml file.
package main

import (
	"os"

	"github.com/autogql/autogql/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}

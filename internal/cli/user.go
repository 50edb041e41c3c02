package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/autogql/autogql/internal/auth"
	"github.com/autogql/autogql/internal/database"
)

const userSynopsis = `user create USERNAME [--roles R1,R2] [--password-file FILE]

Creates a built-in user (security.users), for instance the first
administrator while self-registration is off. The password is read from
--password-file, else from the first line of standard input; it is stored
as an argon2id hash.`

func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flagSet("user", userSynopsis, stderr)
	c := addCommon(fs)
	roles := fs.String("roles", "", "comma-separated roles")
	pwFile := fs.String("password-file", "", "file holding the password (default: standard input)")
	var sub, name string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if sub != "create" || name == "" || fs.NArg() != 0 {
		fs.Usage()
		return fmt.Errorf("want create USERNAME: %w", errUsage)
	}
	cfg, err := c.load()
	if err != nil {
		return err
	}
	var password string
	if *pwFile != "" {
		b, err := os.ReadFile(*pwFile)
		if err != nil {
			return err
		}
		password = strings.TrimRight(string(b), "\r\n")
	} else {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("no password on standard input: %w", errUsage)
		}
		password = strings.TrimRight(line, "\r\n")
	}
	db, err := database.Open(ctx, c.database, database.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := auth.EnsureTables(ctx, db); err != nil {
		return err
	}
	secret := []byte(cfg.Security.JWTSecret)
	if len(secret) < auth.MinSecretBytes {
		secret = []byte(strings.Repeat("x", auth.MinSecretBytes)) // signs nothing here
	}
	users, err := auth.NewUsers(db, auth.UsersOptions{Secret: secret, MinPasswordLength: cfg.Security.Users.MinPasswordLength})
	if err != nil {
		return err
	}
	u, err := users.Create(ctx, name, password, splitComma(*roles))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "user %s created (id %s, roles %s)\n", u.Username, u.ID, strings.Join(u.Roles, ","))
	return nil
}

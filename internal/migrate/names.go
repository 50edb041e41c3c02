package migrate

import (
	"crypto/md5" //nolint:gosec // a name digest, as Django computes it; not security
	"encoding/hex"
	"strings"
	"unicode/utf8"

	"github.com/autogql/autogql/internal/database"
)

// maxNameLength is PostgreSQL's identifier limit (NAMEDATALEN-1). SQLite has
// none, but the same names are used on both so a database can move between
// them.
const maxNameLength = 63

// namesDigest is Django's names_digest: the first length hex digits of the
// MD5 of the arguments concatenated.
func namesDigest(length int, args ...string) string {
	h := md5.New() //nolint:gosec // see import
	for _, a := range args {
		h.Write([]byte(a))
	}
	return hex.EncodeToString(h.Sum(nil))[:length]
}

// indexName is Django's BaseDatabaseSchemaEditor._create_index_name: a
// deterministic name for an index or constraint on table's columns, at most
// maxNameLength bytes, e.g. "blog_post_author_id_dd7a8485" or
// "blog_post_author_id_dd7a8485_fk_blog_author_id".
func indexName(table string, columns []string, suffix string) string {
	hashSuffix := namesDigest(8, append([]string{table}, columns...)...) + suffix
	joined := strings.Join(columns, "_")
	name := table + "_" + joined + "_" + hashSuffix
	if len(name) <= maxNameLength {
		return name
	}
	if len(hashSuffix) > maxNameLength/3 {
		hashSuffix = hashSuffix[:maxNameLength/3]
	}
	other := (maxNameLength-len(hashSuffix))/2 - 1
	name = truncate(table, other) + "_" + truncate(joined, other) + "_" + hashSuffix
	if name[0] == '_' || (name[0] >= '0' && name[0] <= '9') {
		name = "D" + name[:len(name)-1]
	}
	return name
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Short names for the quoting helpers of internal/database, used throughout
// this package's SQL building.
var (
	quoteIdent  = database.QuoteIdent
	quoteString = database.QuoteString
	quoteIdents = database.QuoteIdents
)

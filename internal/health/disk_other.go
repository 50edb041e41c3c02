//go:build !unix

package health

import "errors"

func diskFree(string) (uint64, error) {
	return 0, errors.New("disk free space is not measured on this system")
}

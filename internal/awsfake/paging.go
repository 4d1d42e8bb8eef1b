package awsfake

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// pageSize is the most items one page holds, so small models still span
// several pages. MaxResults lowers it further.
const pageSize = 2

// page cuts n items into one page. It honours MaxResults (checked against
// the API's limit) and pageSize, and returns an opaque token for the rest.
// A token only resumes the listing that issued it.
func (s *Server) page(service, op, scope string, n int, maxResults *int32, limit int, token *string) (lo, hi int, next *string, aerr *apiError) {
	size := pageSize
	if maxResults != nil {
		if *maxResults < 1 || int(*maxResults) > limit {
			return 0, 0, nil, invalid(service, fmt.Sprintf("MaxResults must be between 1 and %d", limit))
		}
		size = min(size, int(*maxResults))
	}
	if token != nil {
		off, ok := decodeToken(*token, op, scope)
		if !ok || off > n {
			return 0, 0, nil, invalid(service, "The NextToken is invalid or expired")
		}
		lo = off
	}
	hi = min(lo+size, n)
	if hi < n {
		t := encodeToken(op, scope, hi)
		next = &t
	}
	return lo, hi, next, nil
}

func encodeToken(op, scope string, off int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(op + "\x00" + scope + "\x00" + strconv.Itoa(off)))
}

func decodeToken(tok, op, scope string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, false
	}
	parts := strings.Split(string(b), "\x00")
	if len(parts) != 3 || parts[0] != op || parts[1] != scope {
		return 0, false
	}
	off, err := strconv.Atoi(parts[2])
	if err != nil || off < 0 {
		return 0, false
	}
	return off, true
}

// pageOf applies page to a slice.
func pageOf[T any](s *Server, service, op, scope string, items []T, maxResults *int32, limit int, token *string) ([]T, *string, *apiError) {
	lo, hi, next, aerr := s.page(service, op, scope, len(items), maxResults, limit, token)
	if aerr != nil {
		return nil, nil, aerr
	}
	if len(items) == 0 {
		return []T{}, next, nil // AWS sends [], never null
	}
	return items[lo:hi], next, nil
}

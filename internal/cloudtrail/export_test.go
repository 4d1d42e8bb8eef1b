package cloudtrail

import "io"

// SplitWindow splits r as ObjectReader.Split does, with a window of at most
// window bytes and a record cap of the same size, so tests reach the
// streaming path with small inputs. It returns the cut and fn's error.
func SplitWindow(r io.Reader, window int, fn func(*Record) error, onBad func(int, int64, error)) (cut, err error) {
	st := newStreamer(r, window, make([]byte, 0, 16), fn, onBad)
	st.max = window
	err = st.split()
	return st.cut, err
}

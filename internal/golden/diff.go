package golden

import (
	"fmt"
	"strings"
)

// context is how many unchanged lines Diff shows around a change.
const context = 3

// maxCells bounds the longest-common-subsequence table; past it (files of
// thousands of changed lines) Diff shows the changed block as removed then
// added, which is still correct, only less tidy.
const maxCells = 4 << 20

type op struct {
	kind byte // ' ', '-' or '+'
	line string
}

// Diff returns a unified line diff from want to got ("-" lines are in
// want, "+" lines in got), with a few lines of context and line numbers
// in the hunk headers. It returns "" when want and got are equal.
func Diff(want, got string) string {
	if want == got {
		return ""
	}
	ops := diffLines(splitLines(want), splitLines(got))
	var sb strings.Builder
	sb.WriteString("--- want\n+++ got\n")
	for start := 0; start < len(ops); {
		// Find the next change, then extend the hunk while changes are
		// closer than two contexts apart.
		first := start
		for first < len(ops) && ops[first].kind == ' ' {
			first++
		}
		if first == len(ops) {
			break
		}
		last := first
		for k := first; k < len(ops) && k-last <= 2*context+1; k++ {
			if ops[k].kind != ' ' {
				last = k
			}
		}
		lo, hi := max(first-context, start), min(last+context+1, len(ops))
		writeHunk(&sb, ops, lo, hi)
		start = hi
	}
	return sb.String()
}

// writeHunk writes ops[lo:hi] under a header counting lines from 1.
func writeHunk(sb *strings.Builder, ops []op, lo, hi int) {
	aLine, bLine := 1, 1
	for _, o := range ops[:lo] {
		if o.kind != '+' {
			aLine++
		}
		if o.kind != '-' {
			bLine++
		}
	}
	var aLen, bLen int
	for _, o := range ops[lo:hi] {
		if o.kind != '+' {
			aLen++
		}
		if o.kind != '-' {
			bLen++
		}
	}
	fmt.Fprintf(sb, "@@ -%d,%d +%d,%d @@\n", aLine, aLen, bLine, bLen)
	for _, o := range ops[lo:hi] {
		line, hadNewline := strings.CutSuffix(o.line, "\n")
		sb.WriteByte(o.kind)
		sb.WriteString(line)
		sb.WriteByte('\n')
		if !hadNewline {
			sb.WriteString("\\ No newline at end of file\n")
		}
	}
}

// splitLines keeps each line's newline, so a missing final newline is a
// difference the diff can show.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// diffLines is a longest-common-subsequence diff of the lines between the
// common prefix and suffix (golden files change in a few places).
func diffLines(a, b []string) []op {
	var pre int
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	var suf int
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	ops := make([]op, 0, len(a)+len(b))
	for _, l := range a[:pre] {
		ops = append(ops, op{' ', l})
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	if len(ma)*len(mb) > maxCells {
		for _, l := range ma {
			ops = append(ops, op{'-', l})
		}
		for _, l := range mb {
			ops = append(ops, op{'+', l})
		}
	} else {
		ops = append(ops, lcs(ma, mb)...)
	}
	for _, l := range a[len(a)-suf:] {
		ops = append(ops, op{' ', l})
	}
	return ops
}

func lcs(a, b []string) []op {
	// n[i][j] is the length of the longest common subsequence of a[i:]
	// and b[j:], kept in one slice.
	w := len(b) + 1
	n := make([]int32, (len(a)+1)*w)
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				n[i*w+j] = n[(i+1)*w+j+1] + 1
			} else {
				n[i*w+j] = max(n[(i+1)*w+j], n[i*w+j+1])
			}
		}
	}
	var ops []op
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			ops = append(ops, op{' ', a[i]})
			i, j = i+1, j+1
		case n[(i+1)*w+j] >= n[i*w+j+1]:
			ops = append(ops, op{'-', a[i]})
			i++
		default:
			ops = append(ops, op{'+', b[j]})
			j++
		}
	}
	for ; i < len(a); i++ {
		ops = append(ops, op{'-', a[i]})
	}
	for ; j < len(b); j++ {
		ops = append(ops, op{'+', b[j]})
	}
	return ops
}

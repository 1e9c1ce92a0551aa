package ecsjson

import "strings"

// Placeholders deploy tools substitute before a file reaches ECS:
// {{ ... }} (ecspresso, Go templates, mustache), $$$X$$$ (the ECS agent's
// test harness), ${X} (envsubst, Terraform templatefile, CloudFormation
// Fn::Sub), <UPPER_CASE> (CodeDeploy <IMAGE1_NAME> and documentation
// placeholders) and {lower_case} (hand-rolled sed templates).
//
// Every decoded string is checked, so the patterns are matched by hand
// rather than with regular expressions, which cost more than the rest of
// decoding; placeholder_test.go holds the equivalent expressions and
// checks the two agree.

// looksTemplated reports whether s looks like an unrendered placeholder.
func looksTemplated(s string) bool {
	return looksStronglyTemplated(s) || looksShellTemplated(s)
}

// looksStronglyTemplated matches placeholders no legitimate value holds:
// `\{\{.*\}\}|\$\$\$[A-Za-z0-9_]+\$\$\$|<[A-Z][A-Z0-9_]*>`.
func looksStronglyTemplated(s string) bool {
	return hasMustache(s) || hasTripleDollar(s) || hasAnglePlaceholder(s)
}

// looksShellTemplated matches placeholders a shell command may hold
// legitimately: `\$\{[A-Za-z_][A-Za-z0-9_]*\}` and
// `^\{[a-z][a-z0-9_]*\}$|\{[a-z][a-z0-9]*_[a-z0-9_]*\}`.
func looksShellTemplated(s string) bool {
	return hasShellVariable(s) || hasBracePlaceholder(s)
}

// hasMustache: `\{\{.*\}\}`, where . is anything but a line break.
func hasMustache(s string) bool {
	for line := range strings.SplitSeq(s, "\n") {
		if i := strings.Index(line, "{{"); i >= 0 && strings.Contains(line[i+2:], "}}") {
			return true
		}
	}
	return false
}

// hasTripleDollar: `\$\$\$[A-Za-z0-9_]+\$\$\$`.
func hasTripleDollar(s string) bool {
	for i := strings.Index(s, "$$$"); i >= 0; {
		end := i + 3 + nameLength(s[i+3:], isWordByte)
		if end > i+3 && strings.HasPrefix(s[end:], "$$$") {
			return true
		}
		next := strings.Index(s[i+1:], "$$$")
		if next < 0 {
			return false
		}
		i += 1 + next
	}
	return false
}

// hasAnglePlaceholder: `<[A-Z][A-Z0-9_]*>`.
func hasAnglePlaceholder(s string) bool {
	return hasDelimitedName(s, "<", isUpperByte, isUpperWordByte, '>')
}

// hasShellVariable: `\$\{[A-Za-z_][A-Za-z0-9_]*\}`.
func hasShellVariable(s string) bool {
	return hasDelimitedName(s, "${", isNameStartByte, isWordByte, '}')
}

// hasBracePlaceholder: `^\{[a-z][a-z0-9_]*\}$` (the whole string) or
// `\{[a-z][a-z0-9]*_[a-z0-9_]*\}` (a snake_case name anywhere).
func hasBracePlaceholder(s string) bool {
	if len(s) >= 3 && s[0] == '{' && isLowerByte(s[1]) && 2+nameLength(s[2:], isLowerWordByte) == len(s)-1 && s[len(s)-1] == '}' {
		return true
	}
	for i := strings.IndexByte(s, '{'); i >= 0; {
		if i+1 < len(s) && isLowerByte(s[i+1]) {
			name := s[i+1 : i+2+nameLength(s[i+2:], isLowerWordByte)]
			end := i + 1 + len(name)
			if end < len(s) && s[end] == '}' && strings.IndexByte(name, '_') >= 0 {
				return true
			}
		}
		next := strings.IndexByte(s[i+1:], '{')
		if next < 0 {
			return false
		}
		i += 1 + next
	}
	return false
}

// hasDelimitedName reports whether s holds open, a byte for which first
// is true, any bytes for which rest is true, and closing.
func hasDelimitedName(s, open string, first, rest func(byte) bool, closing byte) bool {
	for i := strings.Index(s, open); i >= 0; {
		start := i + len(open)
		if start < len(s) && first(s[start]) {
			end := start + 1 + nameLength(s[start+1:], rest)
			if end < len(s) && s[end] == closing {
				return true
			}
		}
		next := strings.Index(s[i+1:], open)
		if next < 0 {
			return false
		}
		i += 1 + next
	}
	return false
}

// nameLength is the length of the prefix of s whose bytes satisfy in.
func nameLength(s string, in func(byte) bool) int {
	n := 0
	for n < len(s) && in(s[n]) {
		n++
	}
	return n
}

func isLowerByte(c byte) bool     { return 'a' <= c && c <= 'z' }
func isUpperByte(c byte) bool     { return 'A' <= c && c <= 'Z' }
func isDigitByte(c byte) bool     { return '0' <= c && c <= '9' }
func isNameStartByte(c byte) bool { return isLowerByte(c) || isUpperByte(c) || c == '_' }
func isWordByte(c byte) bool      { return isNameStartByte(c) || isDigitByte(c) }
func isUpperWordByte(c byte) bool { return isUpperByte(c) || isDigitByte(c) || c == '_' }
func isLowerWordByte(c byte) bool { return isLowerByte(c) || isDigitByte(c) || c == '_' }

// isCommandItem reports whether path names an item of a command or
// entryPoint list, `(^|\.)(command|entryPoint)\[\d+\]$`: ${X} there is
// the shell's business.
func isCommandItem(path string) bool {
	if !strings.HasSuffix(path, "]") {
		return false
	}
	open := strings.LastIndexByte(path, '[')
	if open < 0 {
		return false
	}
	index := path[open+1 : len(path)-1]
	if index == "" || nameLength(index, isDigitByte) != len(index) {
		return false
	}
	field := path[:open]
	for _, name := range []string{"command", "entryPoint"} {
		if rest, ok := strings.CutSuffix(field, name); ok && (rest == "" || strings.HasSuffix(rest, ".")) {
			return true
		}
	}
	return false
}

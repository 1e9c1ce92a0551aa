package ecsjson

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The placeholder patterns as regular expressions: the specification the
// hand-written matchers of placeholder.go follow.
var (
	strongTemplatePattern = regexp.MustCompile(`\{\{.*\}\}|\$\$\$[A-Za-z0-9_]+\$\$\$|<[A-Z][A-Z0-9_]*>`)
	shellTemplatePattern  = regexp.MustCompile(`\$\{[A-Za-z_][A-Za-z0-9_]*\}|^\{[a-z][a-z0-9_]*\}$|\{[a-z][a-z0-9]*_[a-z0-9_]*\}`)
	commandItemPattern    = regexp.MustCompile(`(^|\.)(command|entryPoint)\[\d+\]$`)
)

var placeholderSamples = []string{
	"", "plain", "{{", "}}", "{{}}", "{{ x }}", "a {{x\n}} b", "a {{x}}\n}}", "{\n{x}}", "{{{}}",
	"$$$", "$$$$$$", "$$$A$$$", "$$$$A$$$", "$$$A$$", "$$$-$$$", "x$$$TEST_REGION$$$y",
	"<", "<>", "<A>", "<a>", "<IMAGE1_NAME>", "<A-B>", "a < B >", "<<A>", "<A",
	"${", "${}", "${X}", "${_}", "${1}", "$${X}", "${X", "echo ${HOME} {{x}}", "${A.B}",
	"{", "{}", "{a}", "{a_b}", "{A_b}", "{ab}", "x{ab}", "{ab}x", "x{a_b}y", "{a_}", "{_a}", "{1_a}",
	"{a1_2}", "{a-b}", "{a_b-c}", "{{a_b}", "{\"key\": 1}", "{a\n}", "é{a_b}", "{a_b}\n",
}

func TestPlaceholderMatchersFollowThePatterns(t *testing.T) {
	for _, s := range placeholderSamples {
		comparePlaceholderMatchers(t, s)
	}
	for _, path := range []string{"command[0]", "containerDefinitions[1].command[12]", "entryPoint[3]", "x.entryPoint[]",
		"command", "xcommand[0]", "a.command[0][1]", "command[a]", "healthCheck.command[0]", "command[0].x", "[0]", ".command[1]"} {
		if got, want := isCommandItem(path), commandItemPattern.MatchString(path); got != want {
			t.Errorf("isCommandItem(%q) = %t, want %t", path, got, want)
		}
	}
}

func FuzzPlaceholderMatchers(f *testing.F) {
	for _, s := range placeholderSamples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		comparePlaceholderMatchers(t, s)
		if got, want := isCommandItem(s), commandItemPattern.MatchString(s); got != want {
			t.Errorf("isCommandItem(%q) = %t, want %t", s, got, want)
		}
	})
}

func comparePlaceholderMatchers(t *testing.T, s string) {
	t.Helper()
	if got, want := looksStronglyTemplated(s), strongTemplatePattern.MatchString(s); got != want {
		t.Errorf("looksStronglyTemplated(%q) = %t, want %t", s, got, want)
	}
	if got, want := looksShellTemplated(s), shellTemplatePattern.MatchString(s); got != want {
		t.Errorf("looksShellTemplated(%q) = %t, want %t", s, got, want)
	}
}

func TestTemplateMessageQuotesAsStrconv(t *testing.T) {
	for _, value := range []string{"", "{{ .Image }}", "$$$X$$$", `say "hi"`, `back\slash`, "tab\there", "caf\u00e9 ${X}", "\x7f", "~", strings.Repeat("${LONG}", 20)} {
		want := strconv.Quote(truncateForMessage(value)) + templateAdvice
		if got := string(appendTemplateMessage(nil, value)); got != want {
			t.Errorf("appendTemplateMessage(%q) = %q, want %q", value, got, want)
		}
	}
}

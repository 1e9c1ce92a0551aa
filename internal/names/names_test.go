package names

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation"
)

func TestDNSLabel(t *testing.T) {
	long := strings.Repeat("Very_Long_Family_Name_", 5)
	tests := []struct {
		in, want string
	}{
		{"web", "web"},
		{"My_App.v2", "my-app-v2"},
		{"--a__b--", "a-b"},
		{"___", "x"},
		{"", "x"},
		{"UPPER", "upper"},
		{long, "very-long-family-name-very-long-family-name-very-long-" + hashOf(long, 8)},
	}
	for _, tt := range tests {
		got := Object(tt.in)
		if got != tt.want {
			t.Errorf("Object(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if errs := validation.IsDNS1123Label(got); len(errs) > 0 {
			t.Errorf("Object(%q) = %q is not a DNS-1123 label: %v", tt.in, got, errs)
		}
	}
}

func TestServicePortLabelValue(t *testing.T) {
	if got := Service("9lives"); got != "s-9lives" {
		t.Errorf("Service(9lives) = %q", got)
	}
	if errs := validation.IsDNS1035Label(Service("9lives")); len(errs) > 0 {
		t.Error(errs)
	}
	ports := map[string]string{
		"http":                     "http",
		"8080":                     "p8080",
		"nginx-80-tcp":             "nginx-80-tcp",
		"service-connect-http-api": "service-co-" + hashOf("service-connect-http-api", 4),
		"A__B":                     "a-b",
	}
	for in, want := range ports {
		got := Port(in)
		if got != want {
			t.Errorf("Port(%q) = %q, want %q", in, got, want)
		}
		if errs := validation.IsValidPortName(got); len(errs) > 0 {
			t.Errorf("Port(%q) = %q invalid: %v", in, got, errs)
		}
	}
	values := map[string]string{
		"arn:aws:iam::1:role/x": "arn-aws-iam--1-role-x",
		"Family_1.2":            "Family_1.2",
		"-x-":                   "x",
		"":                      "",
	}
	for in, want := range values {
		got := LabelValue(in)
		if got != want {
			t.Errorf("LabelValue(%q) = %q, want %q", in, got, want)
		}
		if errs := validation.IsValidLabelValue(got); len(errs) > 0 {
			t.Errorf("LabelValue(%q) = %q invalid: %v", in, got, errs)
		}
	}
	if got := LabelValue(strings.Repeat("a.", 40)); len(got) > MaxLabel || len(validation.IsValidLabelValue(got)) > 0 {
		t.Errorf("long label value %q invalid", got)
	}
}

func TestSuffixedAndClusterScoped(t *testing.T) {
	if got := Suffixed("web", "secrets-r3"); got != "web-secrets-r3" {
		t.Errorf("Suffixed = %q", got)
	}
	base := strings.Repeat("a", 60)
	got := Suffixed(base, "secrets-r12")
	if len(got) > MaxLabel || !strings.HasSuffix(got, "-secrets-r12") || len(validation.IsDNS1123Label(got)) > 0 {
		t.Errorf("Suffixed(long) = %q", got)
	}
	if Suffixed(base, "secrets-r12") == Suffixed(strings.Repeat("a", 61), "secrets-r12") {
		t.Error("distinct long bases must not collide")
	}
	if got := ClusterScoped("team-a", "web", "data"); got != "team-a-web-data" {
		t.Errorf("ClusterScoped = %q", got)
	}
}

// The shortcuts for names that are already valid must give what the full
// rebuild gives.
func TestValidNamesShortcutMatchesRebuild(t *testing.T) {
	for _, s := range []string{
		"", "a", "web", "web-app", "web--app", "-web", "web-", "Web", "web_app", "web.app", "0", "9-x",
		"a-b-c-1-2-3", "é", "\u212aelvin", "web app", "x" + strings.Repeat("y", 70), "A.b_C-9",
		"_x", "x_", ".x", strings.Repeat("a", 63), strings.Repeat("a", 64), "web\x00app",
	} {
		if got, want := lowerDashed(s), rebuildLowerDashed(s); got != want {
			t.Errorf("lowerDashed(%q) = %q, the rebuild gives %q", s, got, want)
		}
		if s == "" {
			continue
		}
		if got, want := LabelValue(s), rebuildLabelValue(s); got != want {
			t.Errorf("LabelValue(%q) = %q, the rebuild gives %q", s, got, want)
		}
	}
}

func FuzzValidNamesShortcut(f *testing.F) {
	f.Add("web-app")
	f.Add("Web_App.1")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := lowerDashed(s), rebuildLowerDashed(s); got != want {
			t.Fatalf("lowerDashed(%q) = %q, the rebuild gives %q", s, got, want)
		}
		if s != "" {
			if got, want := LabelValue(s), rebuildLabelValue(s); got != want {
				t.Fatalf("LabelValue(%q) = %q, the rebuild gives %q", s, got, want)
			}
		}
	})
}

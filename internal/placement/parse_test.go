package placement

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// devGuideExamples are every expression on the ECS developer guide's
// "Cluster query language" page and the task placement constraint page,
// with the canonical form Parse must give them.
var devGuideExamples = []struct{ expr, want string }{
	{"attribute:ecs.instance-type == t2.small", "attribute:ecs.instance-type == t2.small"},
	{"attribute:ecs.availability-zone in [us-east-1a, us-east-1b]", "attribute:ecs.availability-zone in [us-east-1a, us-east-1b]"},
	{"attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d", "attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d"},
	{"task:group == service:production", "task:group == service:production"},
	{"not(task:group == database)", "not(task:group == database)"},
	{"runningTasksCount == 1", "runningTasksCount == 1"},
	{"agentVersion < 1.14.5", "agentVersion < 1.14.5"},
	{"registeredAt < 2018-02-13", "registeredAt < 2018-02-13"},
	{"ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']", "ec2InstanceId in [i-abcd1234, i-wxyx7890]"},
	{"(attribute:ecs.instance-type == t2.small or attribute:ecs.instance-type == t2.medium) and attribute:ecs.availability-zone == us-east-1a", "(attribute:ecs.instance-type == t2.small or attribute:ecs.instance-type == t2.medium) and attribute:ecs.availability-zone == us-east-1a"},
	// Task placement constraints page.
	{"attribute:ecs.instance-type == g2.2xlarge", "attribute:ecs.instance-type == g2.2xlarge"},
	{"attribute:stack == prod", "attribute:stack == prod"},
	{"attribute:stack != prod", "attribute:stack != prod"},
	{"attribute:ecs.instance-type in [t2.small, t2.medium]", "attribute:ecs.instance-type in [t2.small, t2.medium]"},
	{"attribute:ecs.instance-type =~ t2.* and attribute:ecs.availability-zone == us-east-1a", "attribute:ecs.instance-type =~ t2.* and attribute:ecs.availability-zone == us-east-1a"},
	{"attribute:ecs.instance-type =~ t2.*", "attribute:ecs.instance-type =~ t2.*"},
	{"task:group == databases", "task:group == databases"},
	{"attribute:color =~ green", "attribute:color =~ green"},
}

func TestParseDeveloperGuideExamples(t *testing.T) {
	for _, tc := range devGuideExamples {
		e, err := Parse(tc.expr)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.expr, err)
			continue
		}
		if got := e.String(); got != tc.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tc.expr, got, tc.want)
		}
	}
}

func TestParseValid(t *testing.T) {
	cases := []struct{ expr, want string }{
		// Every operator, symbolic and word form.
		{"attribute:a == b", "attribute:a == b"},
		{"attribute:a equals b", "attribute:a == b"},
		{"attribute:a != b", "attribute:a != b"},
		{"attribute:a not_equals b", "attribute:a != b"},
		{"attribute:a > 5", "attribute:a > 5"},
		{"attribute:a greater_than 5", "attribute:a > 5"},
		{"attribute:a >= 5", "attribute:a >= 5"},
		{"attribute:a greater_than_equal 5", "attribute:a >= 5"},
		{"attribute:a < 5", "attribute:a < 5"},
		{"attribute:a less_than 5", "attribute:a < 5"},
		{"attribute:a <= -5", "attribute:a <= -5"},
		{"attribute:a less_than_equal 5", "attribute:a <= 5"},
		{"attribute:a exists", "attribute:a exists"},
		{"attribute:a !exists", "attribute:a !exists"},
		{"attribute:a not_exists", "attribute:a !exists"},
		{"attribute:a in [x]", "attribute:a in [x]"},
		{"attribute:a !in [x, y]", "attribute:a !in [x, y]"},
		{"attribute:a not_in [x,y]", "attribute:a !in [x, y]"},
		{"attribute:a =~ x.*", "attribute:a =~ x.*"},
		{"attribute:a matches x.*", "attribute:a =~ x.*"},
		{"attribute:a !~ x.*", "attribute:a !~ x.*"},
		{"attribute:a not_matches x.*", "attribute:a !~ x.*"},
		{"attribute:a EQUALS b", "attribute:a == b"},
		// No spaces around operators (real task definitions do this).
		{"attribute:ecs.availability-zone==us-west-2b", "attribute:ecs.availability-zone == us-west-2b"},
		{"attribute:a!=b", "attribute:a != b"},
		{"attribute:a>=10", "attribute:a >= 10"},
		{"attribute:a in[x,y]", "attribute:a in [x, y]"},
		{"attribute:a!in[x]", "attribute:a !in [x]"},
		{"attribute:a==b&&attribute:c==d", "attribute:a == b and attribute:c == d"},
		{"attribute:a==b||attribute:c==d", "attribute:a == b or attribute:c == d"},
		{"  attribute:a exists\t", "attribute:a exists"},
		// Boolean operators and precedence: not > and > or.
		{"attribute:a exists and attribute:b exists", "attribute:a exists and attribute:b exists"},
		{"attribute:a exists && attribute:b exists", "attribute:a exists and attribute:b exists"},
		{"attribute:a exists or attribute:b exists", "attribute:a exists or attribute:b exists"},
		{"attribute:a exists || attribute:b exists", "attribute:a exists or attribute:b exists"},
		{"attribute:a exists AND attribute:b exists OR attribute:c exists", "attribute:a exists and attribute:b exists or attribute:c exists"},
		{"attribute:a exists or attribute:b exists and attribute:c exists", "attribute:a exists or attribute:b exists and attribute:c exists"},
		{"(attribute:a exists or attribute:b exists) and attribute:c exists", "(attribute:a exists or attribute:b exists) and attribute:c exists"},
		{"not attribute:a exists and attribute:b exists", "not(attribute:a exists) and attribute:b exists"},
		{"not (attribute:a exists and attribute:b exists)", "not(attribute:a exists and attribute:b exists)"},
		{"!attribute:a exists", "not(attribute:a exists)"},
		{"!(attribute:a == b)", "not(attribute:a == b)"},
		{"not not attribute:a exists", "not(not(attribute:a exists))"},
		{"((attribute:a exists))", "attribute:a exists"},
		{"attribute:a exists and (attribute:b exists and attribute:c exists)", "attribute:a exists and attribute:b exists and attribute:c exists"},
		// Quoted values: spaces, parentheses, connectives, the other quote.
		{`attribute:a == "x y"`, "attribute:a == 'x y'"},
		{`attribute:a == 'it"s'`, `attribute:a == 'it"s'`},
		{`attribute:a == "it's"`, `attribute:a == "it's"`},
		{`attribute:a =~ '^(m5|c5)\..*$'`, `attribute:a =~ '^(m5|c5)\..*$'`},
		{`attribute:a == 'a&&b'`, `attribute:a == 'a&&b'`},
		{`attribute:a == ''`, `attribute:a == ''`},
		{`attribute:a in ['x', "y z", w]`, `attribute:a in [x, 'y z', w]`},
		// Bare values with regex and wildcard characters.
		{"attribute:ecs.instance-type =~ m5.*|c5.*", "attribute:ecs.instance-type =~ m5.*|c5.*"},
		{"attribute:a =~ .*large", "attribute:a =~ .*large"},
		{"attribute:a == *", "attribute:a == *"},
		{"attribute:a =~ us-east-1[ab]", "attribute:a =~ us-east-1[ab]"},
		{"attribute:a =~ t[23].{1,3}", "attribute:a =~ t[23].{1,3}"},
		{"attribute:a in ['t[23]', x]", "attribute:a in ['t[23]', x]"},
		// Subjects.
		{"attribute:ecs.os-family == LINUX", "attribute:ecs.os-family == LINUX"},
		{"attribute:ecs.cpu-architecture == arm64", "attribute:ecs.cpu-architecture == arm64"},
		{"attribute:ecs.ami-id == ami-1234abcd", "attribute:ecs.ami-id == ami-1234abcd"},
		{"attribute:ecs.vpc-id == vpc-1234abcd", "attribute:ecs.vpc-id == vpc-1234abcd"},
		{"attribute:ecs.subnet-id != subnet-1234abcd", "attribute:ecs.subnet-id != subnet-1234abcd"},
		{"attribute:ecs.instance-id exists", "attribute:ecs.instance-id exists"},
		{`attribute:team/stack\x_y exists`, `attribute:team/stack\x_y exists`},
		{"agentConnected == false", "agentConnected == false"},
		{"registeredAt >= 2018-06-18T22:28:28+00:00", "registeredAt >= 2018-06-18T22:28:28+00:00"},
		{"task:group in [service:web, family:batch]", "task:group in [service:web, family:batch]"},
		{"task:group exists", "task:group exists"},
		{"ec2InstanceId =~ i-0.*", "ec2InstanceId =~ i-0.*"},
		// Keywords only stand alone: these are values.
		{"attribute:a == and", "attribute:a == and"},
		{"attribute:a == android", "attribute:a == android"},
		{"attribute:a in [or, not]", "attribute:a in [or, not]"},
	}
	for _, tc := range cases {
		e, err := Parse(tc.expr)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.expr, err)
			continue
		}
		if got := e.String(); got != tc.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tc.expr, got, tc.want)
		}
		again, err := Parse(e.String())
		if err != nil || again.String() != e.String() {
			t.Errorf("String() of %q does not parse back: %q, %v", tc.expr, e.String(), err)
		}
	}
}

func TestParseTree(t *testing.T) {
	expr := "attribute:a == x or not task:group in [g1, 'g 2'] and ec2InstanceId == i-1"
	want := &Or{Terms: []Expr{
		&Comparison{Subject: Subject{Kind: SubjectAttribute, Attribute: "a"}, Op: OpEqual, Values: []string{"x"}, Offset: 0},
		&And{Terms: []Expr{
			&Not{X: &Comparison{Subject: Subject{Kind: SubjectTaskGroup}, Op: OpIn, Values: []string{"g1", "g 2"}, Offset: 24}},
			&Comparison{Subject: Subject{Kind: SubjectEC2InstanceID}, Op: OpEqual, Values: []string{"i-1"}, Offset: 54},
		}},
	}}
	got, err := Parse(expr)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Parse(%q) =\n%#v\nwant\n%#v", expr, got, want)
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		expr     string
		offset   int
		column   int
		expected string
		found    string
	}{
		{"", 0, 1, "a subject", "end of expression"},
		{"   ", 3, 4, "a subject", "end of expression"},
		{"attribute:", 10, 11, "an attribute name", "nothing"},
		{"attribute:a:b == c", 10, 11, "an attribute name", `':' in "a:b"`},
		{"attribute:" + strings.Repeat("n", 129) + " exists", 10, 11, "an attribute name", "a name of 129 characters"},
		{"color == red", 0, 1, "a subject", `"color"`},
		{"Attribute:a == b", 0, 1, "a subject", `"Attribute:a"`},
		{"task:groups == a", 0, 1, "a subject", `"task:groups"`},
		{"attribute:a", 11, 12, "an operator", "end of expression"},
		{"attribute:a = b", 12, 13, "an operator", `"="`},
		{"attribute:a eq b", 12, 13, "an operator", `"eq"`},
		{"attribute:a existsx", 12, 13, "an operator", `"existsx"`},
		{"attribute:a ==", 14, 15, "a value", "end of expression"},
		{"attribute:a == )", 15, 16, "a value", `")"`},
		{"attribute:a == b c", 17, 18, "quote a value that contains spaces", `"c"`},
		{"attribute:a =~ ^(m5|c5)$", 16, 17, "quote a value that contains spaces or parentheses", `"("`},
		{"attribute:a == 'unterminated", 28, 29, "the closing ' of the value that starts at column 16", "end of expression"},
		{"attribute:a in x", 15, 16, `"["`, `"x"`},
		{"attribute:a in []", 16, 17, "a value", `"]"`},
		{"attribute:a in [x,]", 18, 19, "a value", `"]"`},
		{"attribute:a in [x y]", 18, 19, `"," or "]"`, `"y"`},
		{"attribute:a in [x", 17, 18, `"," or "]"`, "end of expression"},
		{"attribute:a exists attribute:b exists", 19, 20, `"and", "or" or end of expression`, `"attribute:b"`},
		{"attribute:a exists and", 22, 23, "a subject", "end of expression"},
		{"attribute:a exists or or attribute:b exists", 22, 23, "a subject", `"or"`},
		{"and attribute:a exists", 0, 1, "a subject", `"and"`},
		{"(attribute:a exists", 19, 20, `")", "and" or "or"`, "end of expression"},
		{"attribute:a exists)", 18, 19, `"and", "or" or end of expression`, `")"`},
		{"(attribute:a exists))", 20, 21, `"and", "or" or end of expression`, `")"`},
		{"not", 3, 4, "a subject", "end of expression"},
		{"not()", 4, 5, "a subject", `")"`},
		{"attribute:a exists & attribute:b exists", 19, 20, `"and", "or"`, `"&"`},
		{"agentVersion in [1.0]", 13, 14, "one of ==, !=, >, >=, <, <= after agentVersion", `"in"`},
		{"runningTasksCount exists", 18, 19, "after runningTasksCount", `"exists"`},
		{"ec2InstanceId > 5", 14, 15, "after ec2InstanceId", `">"`},
		{"task:group >= 2", 11, 12, "after task:group", `">="`},
		{"agentConnected !exists", 15, 16, "after agentConnected", `"!exists"`},
		// Columns count characters, offsets count bytes.
		{"attribute:a == 'é' é", 20, 20, `"and", "or"`, `"é"`},
		{strings.Repeat("(", 101) + "attribute:a exists" + strings.Repeat(")", 101), 100, 101, "at most 100 nested", `"("`},
		{strings.Repeat("not ", 101) + "attribute:a exists", 400, 401, "at most 100 nested", `"not"`},
	}
	for _, tc := range cases {
		_, err := Parse(tc.expr)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q) error = %v, want a *SyntaxError", tc.expr, err)
			continue
		}
		if se.Offset != tc.offset || se.Column != tc.column || !strings.Contains(se.Expected, tc.expected) || se.Found != tc.found {
			t.Errorf("Parse(%q) = offset %d column %d expected %q found %s\nwant offset %d column %d expected ~%q found %s",
				tc.expr, se.Offset, se.Column, se.Expected, se.Found, tc.offset, tc.column, tc.expected, tc.found)
		}
	}
}

func TestSyntaxErrorMessage(t *testing.T) {
	_, err := Parse("attribute:ecs.instance-type = t2.small")
	want := `column 29 (byte 28): expected an operator (==, !=, >, >=, <, <=, exists, !exists, in, !in, =~, !~ or their word forms), found "="`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant %s", err, want)
	}
}

package placement

import (
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/internal/report"
)

func ptr(s string) *string { return &s }

func memberOf(field, expr string) Constraint {
	return Constraint{Field: field, PlacementConstraint: ecsv1.PlacementConstraint{Type: ptr("memberOf"), Expression: ptr(expr)}}
}

// nodeTerms renders required node affinity as "req && req || req", each
// requirement as "key Op [values]".
func nodeTerms(a *corev1.Affinity) string {
	if a == nil || a.NodeAffinity == nil || a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return ""
	}
	var terms []string
	for _, t := range a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
		var reqs []string
		for _, r := range t.MatchExpressions {
			reqs = append(reqs, requirement(r.Key, string(r.Operator), r.Values))
		}
		terms = append(terms, strings.Join(reqs, " && "))
	}
	return strings.Join(terms, " || ")
}

func requirement(key, op string, values []string) string {
	if len(values) == 0 {
		return key + " " + op
	}
	return fmt.Sprintf("%s %s [%s]", key, op, strings.Join(values, " "))
}

// podTerms renders required pod (anti-)affinity terms as
// "selector @ topologyKey; ...".
func podTerms(terms []corev1.PodAffinityTerm) string {
	var out []string
	for _, t := range terms {
		var sel []string
		keys := make([]string, 0, len(t.LabelSelector.MatchLabels))
		for k := range t.LabelSelector.MatchLabels {
			keys = append(keys, k)
		}
		sortStrings(keys)
		for _, k := range keys {
			sel = append(sel, k+"="+t.LabelSelector.MatchLabels[k])
		}
		for _, r := range t.LabelSelector.MatchExpressions {
			sel = append(sel, requirement(r.Key, string(r.Operator), r.Values))
		}
		out = append(out, strings.Join(sel, ",")+" @ "+t.TopologyKey)
	}
	return strings.Join(out, "; ")
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func affinityOf(a *corev1.Affinity) (podAff, podAnti string) {
	if a == nil {
		return "", ""
	}
	if a.PodAffinity != nil {
		podAff = podTerms(a.PodAffinity.RequiredDuringSchedulingIgnoredDuringExecution)
	}
	if a.PodAntiAffinity != nil {
		podAnti = podTerms(a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution)
	}
	return podAff, podAnti
}

func messages(ws []ecsv1.TranslationWarning) string {
	var out []string
	for _, w := range ws {
		out = append(out, w.Field+": "+w.Reason)
	}
	return strings.Join(out, "\n")
}

const (
	zone = "topology.kubernetes.io/zone"
	typ  = "node.kubernetes.io/instance-type"
	arch = "kubernetes.io/arch"
	osL  = "kubernetes.io/os"
	host = "kubernetes.io/hostname"
	grp  = "ecs.operator.dev/group"
)

var testInventory = map[string][]string{
	zone:                   {"us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d"},
	typ:                    {"c5.large", "g2.2xlarge", "g2.8xlarge", "m5.large", "m5.xlarge", "t2.medium", "t2.small"},
	arch:                   {"amd64", "arm64"},
	"ecs.operator.dev/gpu": {"0", "1", "4", "many"},
}

// blowUp is (k1 == 1 or k2 == 1) and (k3 == 1 or k4 == 1) and ... with
// pairs clauses: 2^pairs alternatives.
func blowUp(pairs int) string {
	clauses := make([]string, pairs)
	for i := range clauses {
		clauses[i] = fmt.Sprintf("(attribute:k%d == 1 or attribute:k%d == 1)", 2*i, 2*i+1)
	}
	return strings.Join(clauses, " and ")
}

func TestTranslateLargestDNF(t *testing.T) {
	var rep report.Collector
	res := Translate(Input{Constraints: []Constraint{memberOf("c", blowUp(6))}}, &rep)
	if err := rep.Err(); err != nil {
		t.Fatal(err)
	}
	terms := res.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
	if len(terms) != MaxTerms || len(terms[0].MatchExpressions) != 6 {
		t.Errorf("got %d terms of %d requirements, want %d of 6", len(terms), len(terms[0].MatchExpressions), MaxTerms)
	}
	if got, want := strings.SplitN(nodeTerms(res.Affinity), " || ", 2)[0], "ecs.operator.dev/k0 In [1] && ecs.operator.dev/k10 In [1] && ecs.operator.dev/k2 In [1] && ecs.operator.dev/k4 In [1] && ecs.operator.dev/k6 In [1] && ecs.operator.dev/k8 In [1]"; got != want {
		t.Errorf("first term %q, want %q", got, want)
	}
}

func TestTranslateMemberOf(t *testing.T) {
	cases := []struct {
		name      string
		expr      string
		input     func(*Input)
		nodes     string // node affinity terms
		podAff    string
		podAnti   string
		warnings  []string // substrings, in order
		errSubstr string
	}{
		// Developer guide examples.
		{name: "equality", expr: "attribute:ecs.instance-type == t2.small", nodes: typ + " In [t2.small]"},
		{name: "argument list", expr: "attribute:ecs.availability-zone in [us-east-1a, us-east-1b]", nodes: zone + " In [us-east-1a us-east-1b]"},
		{name: "compound with regex", expr: "attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d",
			nodes:    typ + " In [g2.2xlarge g2.8xlarge] && " + zone + " NotIn [us-east-1d]",
			warnings: []string{`regex "g2.*" expanded to [g2.2xlarge, g2.8xlarge] (label node.kubernetes.io/instance-type); new values need re-translation`}},
		{name: "task affinity", expr: "task:group == service:production", podAff: grp + " In [service.production] @ " + host},
		{name: "task anti-affinity", expr: "not(task:group == database)", podAnti: grp + " In [database] @ " + host},
		{name: "running task count", expr: "runningTasksCount == 1", errSubstr: "runningTasksCount cannot be translated"},
		{name: "agent version", expr: "agentVersion < 1.14.5", errSubstr: "agentVersion cannot be translated"},
		{name: "registered at", expr: "registeredAt < 2018-02-13", errSubstr: "registeredAt cannot be translated"},
		{name: "instance id unmapped", expr: "ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']", errSubstr: "ec2InstanceId has no node label; map it in ECSCluster.spec.attributes[ec2InstanceId]"},
		{name: "instance id mapped", expr: "ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']",
			input: func(in *Input) { in.Attributes = map[string]string{"ec2InstanceId": "example.com/instance-id"} },
			nodes: "example.com/instance-id In [i-abcd1234 i-wxyx7890]"},
		{name: "agent connected", expr: "agentConnected == true", errSubstr: "agentConnected cannot be translated: the scheduler only places pods on Ready nodes"},

		// Operators.
		{name: "not equal", expr: "attribute:stack != prod", nodes: "ecs.operator.dev/stack NotIn [prod]"},
		{name: "not in", expr: "attribute:stack !in [prod, qa]", nodes: "ecs.operator.dev/stack NotIn [prod qa]"},
		{name: "exists", expr: "attribute:stack exists", nodes: "ecs.operator.dev/stack Exists"},
		{name: "not exists", expr: "attribute:stack !exists", nodes: "ecs.operator.dev/stack DoesNotExist"},
		{name: "greater", expr: "attribute:gpu > 1", nodes: "ecs.operator.dev/gpu Gt [1]"},
		{name: "greater or equal", expr: "attribute:gpu >= 1", nodes: "ecs.operator.dev/gpu Gt [0]"},
		{name: "less", expr: "attribute:gpu < 4", nodes: "ecs.operator.dev/gpu Lt [4]"},
		{name: "less or equal", expr: "attribute:gpu <= 4", nodes: "ecs.operator.dev/gpu Lt [5]"},
		{name: "range", expr: "attribute:gpu >= 1 and attribute:gpu <= 4", nodes: "ecs.operator.dev/gpu Gt [0] && ecs.operator.dev/gpu Lt [5]"},
		{name: "empty range", expr: "attribute:gpu > 3 and attribute:gpu < 4", nodes: host + " Exists && " + host + " DoesNotExist",
			warnings: []string{"can match no node"}},
		{name: "any integer", expr: "attribute:gpu >= 0", nodes: "ecs.operator.dev/gpu Lt [9223372036854775807]"},
		{name: "negative lower bound", expr: "attribute:gpu > -5", nodes: "ecs.operator.dev/gpu Lt [9223372036854775807]"},
		{name: "negative upper bound", expr: "attribute:gpu < 0 or attribute:stack == a", nodes: "ecs.operator.dev/stack In [a]"},
		{name: "bounds filter values", expr: "attribute:gpu in [0, 1, 4, many] and attribute:gpu > 0", nodes: "ecs.operator.dev/gpu In [1 4]"},
		{name: "bounds drop redundant exclusions", expr: "attribute:gpu != many and attribute:gpu != 3 and attribute:gpu < 10", nodes: "ecs.operator.dev/gpu NotIn [3] && ecs.operator.dev/gpu Lt [10]"},
		{name: "non-integer bound", expr: "attribute:gpu > 1.5", errSubstr: "> needs an integer argument"},
		{name: "bound at int64 limit", expr: "attribute:gpu < 9223372036854775807", errSubstr: "needs an integer argument"},
		{name: "negated comparison with inventory", expr: "not(attribute:gpu > 1)",
			nodes: "ecs.operator.dev/gpu DoesNotExist || ecs.operator.dev/gpu Lt [2] || ecs.operator.dev/gpu In [many]"},
		{name: "negated comparison without inventory", expr: "not(attribute:gpu >= 2)", input: func(in *Input) { in.Inventory = nil },
			nodes:    "ecs.operator.dev/gpu DoesNotExist || ecs.operator.dev/gpu Lt [2]",
			warnings: []string{"nodes whose ecs.operator.dev/gpu label is not an integer do not match"}},
		{name: "regex not matches", expr: "attribute:ecs.instance-type !~ t2.*", nodes: typ + " NotIn [t2.medium t2.small]",
			warnings: []string{`regex "t2.*" expanded to [t2.medium, t2.small]`}},
		{name: "regex is anchored", expr: "attribute:ecs.instance-type =~ large", nodes: host + " Exists && " + host + " DoesNotExist",
			warnings: []string{`regex "large" expanded to []`, "can match no node"}},
		{name: "regex alternation", expr: "attribute:ecs.instance-type =~ 'm5\\..*|c5.large'", nodes: typ + " In [c5.large m5.large m5.xlarge]",
			warnings: []string{"expanded to [c5.large, m5.large, m5.xlarge]"}},
		{name: "regex no match on not matches", expr: "attribute:ecs.instance-type !~ z.* and attribute:stack exists", nodes: "ecs.operator.dev/stack Exists",
			warnings: []string{"expanded to []"}},
		{name: "regex without inventory", expr: "attribute:ecs.instance-type =~ t2.*", input: func(in *Input) { in.Inventory = nil },
			errSubstr: "the regex needs a node inventory to expand into label values (kubectl-ecs --nodes FILE, or ECSCluster.spec.knownAttributeValues[ecs.instance-type])"},
		{name: "regex from known values", expr: "attribute:ecs.instance-type =~ t2.*",
			input: func(in *Input) {
				in.Inventory = nil
				in.KnownAttributeValues = map[string][]string{"ecs.instance-type": {"t2.large", "t2.micro", "m5.large"}}
			},
			nodes: typ + " In [t2.large t2.micro]", warnings: []string{"expanded to [t2.large, t2.micro]"}},
		{name: "regex unions inventory and known values", expr: "attribute:ecs.instance-type =~ t2.*",
			input: func(in *Input) {
				in.KnownAttributeValues = map[string][]string{"ecs.instance-type": {"t2.large"}}
			},
			nodes: typ + " In [t2.large t2.medium t2.small]", warnings: []string{"expanded to [t2.large, t2.medium, t2.small]"}},
		{name: "regex on label no node has", expr: "attribute:rack =~ r1.*", nodes: host + " Exists && " + host + " DoesNotExist",
			warnings: []string{"expanded to []", "can match no node"}},
		{name: "regex on architecture uses ECS names", expr: "attribute:ecs.cpu-architecture =~ x86.*", nodes: arch + " In [amd64]",
			warnings: []string{`regex "x86.*" expanded to [amd64] (label kubernetes.io/arch)`}},
		{name: "bad regex", expr: "attribute:ecs.instance-type =~ '(?=t2)'", errSubstr: "is not a supported regular expression"},
		{name: "regex on task group", expr: "task:group =~ service:.*", errSubstr: "task:group =~ cannot be expanded"},

		// Value and attribute mapping.
		{name: "architecture x86_64", expr: "attribute:ecs.cpu-architecture == x86_64", nodes: arch + " In [amd64]"},
		{name: "architecture arm64", expr: "attribute:ecs.cpu-architecture == arm64", nodes: arch + " In [arm64]"},
		{name: "architecture amd64 is not ECS", expr: "attribute:ecs.cpu-architecture in [amd64, arm64]", nodes: arch + " In [arm64]",
			warnings: []string{`value "amd64" can match no node: ECS names this architecture x86_64`}},
		{name: "os type", expr: "attribute:ecs.os-type == linux", nodes: osL + " In [linux]"},
		{name: "os family linux", expr: "attribute:ecs.os-family == LINUX", nodes: osL + " In [linux]"},
		{name: "os family windows", expr: "attribute:ecs.os-family == WINDOWS_SERVER_2022_CORE",
			nodes:    osL + " In [windows] && node.kubernetes.io/windows-build In [10.0.20348]",
			warnings: []string{"nodes do not tell FULL from CORE"}},
		{name: "os family not windows 2019", expr: "attribute:ecs.os-family != WINDOWS_SERVER_2019_FULL",
			nodes:    osL + " NotIn [windows] || node.kubernetes.io/windows-build NotIn [10.0.17763]",
			warnings: []string{"FULL from CORE"}},
		{name: "os family regex", expr: "attribute:ecs.os-family =~ WINDOWS_SERVER_2019_.*",
			nodes:    osL + " In [windows] && node.kubernetes.io/windows-build In [10.0.17763]",
			warnings: []string{"expanded to [WINDOWS_SERVER_2019_CORE, WINDOWS_SERVER_2019_FULL]", "FULL from CORE"}},
		{name: "os family unknown value", expr: "attribute:ecs.os-family == WINDOWS", nodes: host + " Exists && " + host + " DoesNotExist",
			warnings: []string{`"WINDOWS" is not an ECS operating system family`, "can match no node"}},
		{name: "os family configured", expr: "attribute:ecs.os-family == LINUX",
			input: func(in *Input) { in.Attributes = map[string]string{"ecs.os-family": "example.com/os-family"} },
			nodes: "example.com/os-family In [LINUX]"},
		{name: "custom attribute", expr: "attribute:stack == prod", nodes: "ecs.operator.dev/stack In [prod]"},
		{name: "custom attribute configured", expr: "attribute:stack == prod",
			input: func(in *Input) { in.Attributes = map[string]string{"stack": "team.example.com/stack"} },
			nodes: "team.example.com/stack In [prod]"},
		{name: "default overridden", expr: "attribute:ecs.availability-zone == use1-az1",
			input: func(in *Input) {
				in.Attributes = map[string]string{"ecs.availability-zone": "topology.k8s.aws/zone-id"}
			},
			nodes: "topology.k8s.aws/zone-id In [use1-az1]"},
		{name: "configured key invalid", expr: "attribute:stack == prod",
			input:     func(in *Input) { in.Attributes = map[string]string{"stack": "not a key"} },
			errSubstr: `ECSCluster.spec.attributes[stack] is "not a key", which is not a valid label key`},
		{name: "custom name invalid as key", expr: `attribute:team\stack == prod`, errSubstr: `custom attribute "team\\stack" does not make a valid label key`},
		{name: "built-in without default", expr: "attribute:ecs.ami-id == ami-1234abcd", errSubstr: "attribute ecs.ami-id has no default node label; map it to the node label that carries it in ECSCluster.spec.attributes[ecs.ami-id]"},
		{name: "built-in configured", expr: "attribute:ecs.subnet-id == subnet-1",
			input: func(in *Input) { in.Attributes = map[string]string{"ecs.subnet-id": "example.com/subnet"} },
			nodes: "example.com/subnet In [subnet-1]"},
		{name: "value not a label value", expr: "attribute:stack == 'a b'", nodes: host + " Exists && " + host + " DoesNotExist",
			warnings: []string{`value "a b" can match no node: it is not a valid Kubernetes label value`, "can match no node"}},
		{name: "excluded value not a label value", expr: "attribute:stack != 'a b'", nodes: "",
			warnings: []string{`value "a b" can match no node`}},
		{name: "wildcard with == is literal", expr: "attribute:ecs.instance-type == t2.*", nodes: host + " Exists && " + host + " DoesNotExist",
			warnings: []string{`value "t2.*" can match no node`}},

		// Boolean structure.
		{name: "or on one key merges", expr: "attribute:ecs.instance-type == t2.small or attribute:ecs.instance-type == t2.medium",
			nodes: typ + " In [t2.medium t2.small]"},
		{name: "or merges within equal rests", expr: "attribute:a == 1 and attribute:b == 1 or attribute:b == 1 and attribute:a == 2 or attribute:a == 3",
			nodes: "ecs.operator.dev/a In [1 2] && ecs.operator.dev/b In [1] || ecs.operator.dev/a In [3]"},
		{name: "or becomes terms", expr: "attribute:ecs.instance-type == t2.small or attribute:ecs.availability-zone == us-east-1a",
			nodes: typ + " In [t2.small] || " + zone + " In [us-east-1a]"},
		{name: "distribution", expr: "(attribute:a == 1 or attribute:b == 2) and (attribute:c == 3 or attribute:d == 4)",
			nodes: "ecs.operator.dev/a In [1] && ecs.operator.dev/c In [3] || ecs.operator.dev/a In [1] && ecs.operator.dev/d In [4] || ecs.operator.dev/b In [2] && ecs.operator.dev/c In [3] || ecs.operator.dev/b In [2] && ecs.operator.dev/d In [4]"},
		{name: "de morgan", expr: "not(attribute:a == 1 and attribute:b exists)", nodes: "ecs.operator.dev/a NotIn [1] || ecs.operator.dev/b DoesNotExist"},
		{name: "double negation", expr: "not not attribute:a == 1", nodes: "ecs.operator.dev/a In [1]"},
		{name: "same key merged", expr: "attribute:ecs.availability-zone in [us-east-1a, us-east-1b] and attribute:ecs.availability-zone != us-east-1a",
			nodes: zone + " In [us-east-1b]"},
		{name: "contradiction dropped", expr: "attribute:a == 1 and attribute:a == 2 or attribute:b == 3", nodes: "ecs.operator.dev/b In [3]"},
		{name: "tautology across terms is kept", expr: "attribute:a exists or attribute:a !exists", nodes: "ecs.operator.dev/a Exists || ecs.operator.dev/a DoesNotExist"},
		{name: "tautology within a term", expr: "attribute:a exists and (attribute:b !in ['x y'] or attribute:c exists)", nodes: "ecs.operator.dev/a Exists",
			warnings: []string{`value "x y" can match no node`}},
		{name: "contradiction", expr: "attribute:a exists and attribute:a !exists", nodes: host + " Exists && " + host + " DoesNotExist",
			warnings: []string{"can match no node"}},
		{name: "duplicate terms merged", expr: "attribute:a == 1 or attribute:a == 1", nodes: "ecs.operator.dev/a In [1]"},
		{name: "precedence", expr: "attribute:a == 1 or attribute:b == 2 and attribute:c == 3",
			nodes: "ecs.operator.dev/a In [1] || ecs.operator.dev/b In [2] && ecs.operator.dev/c In [3]"},
		{name: "blow-up capped", expr: blowUp(7), errSubstr: "expands to more than 64 alternatives (nodeSelectorTerms) in disjunctive normal form; simplify it"},

		// task:group.
		{name: "group in", expr: "task:group in [service:web, service:api]", podAff: grp + " In [service.api service.web] @ " + host},
		{name: "group or merges", expr: "task:group == service:web or task:group == service:api", podAff: grp + " In [service.api service.web] @ " + host},
		{name: "group not in", expr: "task:group !in [a, b]", podAnti: grp + " In [a b] @ " + host},
		{name: "group and", expr: "task:group == a and task:group == b", podAff: grp + " In [a] @ " + host + "; " + grp + " In [b] @ " + host},
		{name: "group exclusions merge", expr: "task:group != a and not task:group == b", podAnti: grp + " In [a b] @ " + host},
		{name: "group exists", expr: "task:group exists", podAff: grp + " Exists @ " + host},
		{name: "group not exists", expr: "task:group !exists", podAnti: grp + " Exists @ " + host},
		{name: "group with node", expr: "task:group == web and attribute:ecs.os-type == linux", nodes: osL + " In [linux]", podAff: grp + " In [web] @ " + host},
		{name: "group factored out of or", expr: "task:group == web and (attribute:stack == a or attribute:stack == b)",
			nodes: "ecs.operator.dev/stack In [a b]", podAff: grp + " In [web] @ " + host},
		{name: "group minus exclusion", expr: "task:group in [a, b] and task:group != a", podAff: grp + " In [b] @ " + host, podAnti: grp + " In [a] @ " + host},
		{name: "group contradiction", expr: "task:group == a and task:group != a", nodes: host + " Exists && " + host + " DoesNotExist",
			warnings: []string{"can match no node"}},
		{name: "group mixed with node in or", expr: "task:group == web or attribute:stack == prod", errSubstr: "task:group conditions inside an or cannot be expressed"},
		{name: "group exclusions in or", expr: "task:group != a or task:group != b", errSubstr: "task:group conditions inside an or cannot be expressed"},
		{name: "group label sanitised", expr: "task:group == 'family:my app'", podAff: grp + " In [family.my-app] @ " + host},

		// Parse errors and empty expressions.
		{name: "syntax error", expr: "attribute:a = b", errSubstr: `cannot parse "attribute:a = b": column 13 (byte 12): expected an operator`},
		{name: "empty", expr: "", errSubstr: "memberOf needs an expression"},
		{name: "too long", expr: "attribute:a == " + strings.Repeat("x", 2000), errSubstr: "ECS allows at most 2000"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := Input{Constraints: []Constraint{memberOf("placementConstraints[0]", tc.expr)}, Inventory: testInventory, Strategies: []Strategy{{Field: "placementStrategy[0]", PlacementStrategy: ecsv1.PlacementStrategy{Type: ptr("random")}}}}
			if tc.input != nil {
				tc.input(&in)
			}
			var rep report.Collector
			res := Translate(in, &rep)
			if tc.errSubstr != "" {
				err := rep.Err()
				if err == nil || !strings.Contains(err.Error(), tc.errSubstr) {
					t.Fatalf("error = %v, want it to contain %q", err, tc.errSubstr)
				}
				if !strings.HasPrefix(err.Error(), "placementConstraints[0].expression: ") {
					t.Errorf("error %q does not name the field", err)
				}
				if res.Affinity != nil {
					t.Errorf("affinity set despite the error: %+v", res.Affinity)
				}
				return
			}
			if err := rep.Err(); err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if got := nodeTerms(res.Affinity); got != tc.nodes {
				t.Errorf("node affinity:\n got %s\nwant %s", got, tc.nodes)
			}
			aff, anti := affinityOf(res.Affinity)
			if aff != tc.podAff {
				t.Errorf("pod affinity:\n got %s\nwant %s", aff, tc.podAff)
			}
			if anti != tc.podAnti {
				t.Errorf("pod anti-affinity:\n got %s\nwant %s", anti, tc.podAnti)
			}
			got := messages(rep.Warnings())
			rest := got
			for _, w := range tc.warnings {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Errorf("warnings:\n%s\nwant (in order) %q", got, w)
					break
				}
				rest = rest[i+len(w):]
			}
			if len(tc.warnings) == 0 && got != "" {
				t.Errorf("unexpected warnings:\n%s", got)
			}
		})
	}
}

// Package placement translates ECS task placement (constraints and
// strategies) into Kubernetes scheduling: node affinity, pod
// (anti-)affinity, topology spread constraints and a scheduler name.
//
// It holds a parser for the complete ECS cluster query language (the
// memberOf expression syntax), a direct evaluator that gives the ECS meaning
// of an expression for one container instance, and the conversion to
// Kubernetes through negation normal form and disjunctive normal form.
//
// Like internal/translate it is pure and deterministic: no client, clock,
// randomness or logging. Facts about the cluster (the attribute → label
// map, the label values of the current nodes) are inputs. field-map.md §7
// is the rule book. Where it is silent, these decisions hold (Eval spells
// them out, and a property test checks the translation against Eval):
//
//   - An instance without the attribute satisfies != and !in (they are the
//     negations of == and in) and !~; == / in / =~ and the comparisons need
//     the attribute.
//   - =~ matches the whole value, like Java's String.matches; Kubernetes
//     has no pattern operator, so a pattern becomes In / NotIn over the
//     matching values of the node inventory and knownAttributeValues, with
//     a warning. Without either source it is an error.
//   - >, >=, <, <= compare integers (Kubernetes Gt / Lt); a non-integer
//     argument is an error. Node label values cannot be negative, so
//     bounds are clamped at 0.
//   - A value no node label can hold ("a b", or amd64 for
//     ecs.cpu-architecture, which ECS calls x86_64) matches nothing, with a
//     warning; == compares literally, so t2.* there is not a pattern.
//   - task:group is required pod affinity (or anti-affinity, when negated)
//     on the ecs.operator.dev/group label with the hostname topology, in
//     the pod's namespace. Alternatives between task:group and node
//     conditions cannot be expressed and are errors.
//   - An expression that can match no node still translates (to a node
//     selector nothing matches) with a warning: the tasks stay Pending, as
//     ECS leaves them unplaced.
//   - ecs.os-family, unless ECSCluster.spec.attributes maps it, becomes
//     kubernetes.io/os plus node.kubernetes.io/windows-build (FULL and CORE
//     are not distinguished; warned).
package placement

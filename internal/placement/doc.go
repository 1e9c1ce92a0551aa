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
// is the rule book; decisions it leaves open are recorded next to the code
// that makes them.
package placement

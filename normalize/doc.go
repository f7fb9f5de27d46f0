// Package normalize turns the text of report cells, survey answers and web
// pages into vahub's canonical codes and values (VOCABULARY.md). Every
// function is pure: no I/O, no state. Label functions return ok=false for a
// label they do not know rather than guess; callers record an issue then.
package normalize

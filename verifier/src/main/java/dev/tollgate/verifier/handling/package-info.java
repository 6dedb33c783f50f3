/**
 * One trigger from start to decision: the policies in force, the decider, then the launcher for an
 * admission. Holds no rule of its own; threat-model rule owned here: <b>the decider is asked before
 * anything acts</b> (only a {@code Ruling.Admit} reaches the run launcher).
 */
package dev.tollgate.verifier.handling;

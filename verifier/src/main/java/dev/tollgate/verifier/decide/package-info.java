/**
 * Deciding, in pure code: {@link dev.tollgate.verifier.decide.Decider} applies every rule to one
 * trigger and returns a sealed {@link dev.tollgate.verifier.decide.Ruling}; {@link
 * dev.tollgate.verifier.decide.Decision} is what is written down. Threat-model rules owned here:
 * <b>fail closed</b> (every path that is not an explicit admission refuses, and an error is never
 * an admit) and <b>nothing runs by default</b> (no matching policy means ignored). Audit mode
 * relaxes sender and bundle violations only, never where runs go or what they run with.
 */
package dev.tollgate.verifier.decide;

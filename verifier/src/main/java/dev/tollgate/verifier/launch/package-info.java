/**
 * Acting on an admission, and only on one: tenant namespace defaults, then the one PipelineRun.
 * Threat-model rules owned here: <b>admit only what was pinned</b> (the run references the bundle
 * by the digest that was verified), <b>one run per trigger</b> (the run is named after the trigger,
 * so a retry or redelivery answers 409 and starts nothing) and <b>no direct TaskRuns</b> (only the
 * typed PipelineRun resource is created).
 */
package dev.tollgate.verifier.launch;

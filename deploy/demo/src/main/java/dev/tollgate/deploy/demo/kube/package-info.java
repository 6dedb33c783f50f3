/**
 * The local stack's default Kubernetes API: fabric8's mock API server in CRUD mode with the Tekton
 * v1 CRDs. It stores and serves objects (namespaces, PipelineRuns, watches) and runs no pods: it
 * shows what the verifier created and what the ledger's run watch sees, nothing more.
 */
package dev.tollgate.deploy.demo.kube;

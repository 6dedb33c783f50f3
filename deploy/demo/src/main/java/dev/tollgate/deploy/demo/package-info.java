/**
 * The local stack's demo process: what {@code deploy/local/up} starts besides the broker and the
 * services so that the product's main job is seen on one machine (admitted, denied, ignored).
 * Nothing here is deployed to a cluster.
 */
package dev.tollgate.deploy.demo;

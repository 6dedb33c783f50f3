/** Building the services' OCI images without Docker. */
package dev.tollgate.deploy.images;

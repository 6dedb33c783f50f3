/**
 * Who a sender is, from the GitHub API. Threat-model rule owned here: <b>an identity the API could
 * not confirm is marked unverified</b>, never assumed; policies decide what that means.
 */
package dev.tollgate.gateway.identity;

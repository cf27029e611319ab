/**
 * Docker's authorization middleware ({@code --authorization-plugin}): every API request is shown to the chain of
 * authorization plugins before its route runs, and its buffered answer after; a refusal becomes 403, a plugin that
 * cannot answer 500, and neither lets the route run.
 */
package dev.keel.httpapi.authz;

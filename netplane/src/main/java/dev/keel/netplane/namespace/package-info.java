/** The drivers whose endpoints are only a network namespace: Docker's host and null. */
package dev.keel.netplane.namespace;

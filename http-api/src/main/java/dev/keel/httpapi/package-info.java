/**
 * The Docker Engine API over a unix socket and TCP, and the keeld main.
 */
package dev.keel.httpapi;

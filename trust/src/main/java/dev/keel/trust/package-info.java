/**
 * Digests, signing and verification, provenance statements, the tamper-evident audit chain over the journal, run policy.
 */
package dev.keel.trust;

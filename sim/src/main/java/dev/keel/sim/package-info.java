/**
 * Deterministic simulation of large clusters running the real actors against simulated hosts; replay of a recorded journal.
 */
package dev.keel.sim;

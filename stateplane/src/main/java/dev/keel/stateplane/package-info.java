/**
 * Volumes: the volume driver SPI, the local driver, snapshots, checkpoint and migration of stateful containers.
 */
package dev.keel.stateplane;

/**
 * Docker's {@code local} volume driver: volumes as directories under the volumes root, optionally mounted (tmpfs,
 * bind, any filesystem mount(2) takes) from their {@code type}, {@code device} and {@code o} options.
 */
package dev.keel.stateplane.local;

/**
 * Names inside containers: Docker's embedded DNS at 127.0.0.11 and the {@code /etc/hosts}, {@code /etc/resolv.conf}
 * and {@code /etc/hostname} files dockerd writes.
 */
package dev.keel.netplane.dns;

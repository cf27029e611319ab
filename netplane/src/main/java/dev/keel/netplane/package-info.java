/**
 * Networks: the network driver SPI, the bridge driver, IPAM, embedded DNS, port publishing and the overlay across hosts.
 */
package dev.keel.netplane;

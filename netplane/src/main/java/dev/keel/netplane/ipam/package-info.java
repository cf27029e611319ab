/** Docker's built-in IPAM ("default"): address pools per address space and serial address allocation. */
package dev.keel.netplane.ipam;

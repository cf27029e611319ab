package dev.keel.netplane.dns;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * The names one container may resolve through the embedded DNS: its networks' containers by name, alias and short
 * id. The daemon implements it per container; it is asked on the DNS thread, so answers must come from memory.
 */
public interface NameTable {

    /**
     * @param name lower case, without the trailing dot
     * @return the name's addresses, IPv4 and IPv6 alike; empty when the name is not one of ours (it is forwarded)
     */
    List<InetAddress> lookup(String name);

    /** The name an address of ours answers to in a PTR query, without the trailing dot. */
    Optional<String> reverse(InetAddress address);
}

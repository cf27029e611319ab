package dev.keel.netplane.spi;

/**
 * An endpoint's interface addresses (Docker's Interface): addresses in CIDR notation, all possibly empty.
 */
public record EndpointAddresses(String address, String addressIpv6, String macAddress) {

    public static final EndpointAddresses NONE = new EndpointAddresses("", "", "");

    public boolean isEmpty() {
        return address.isEmpty() && addressIpv6.isEmpty() && macAddress.isEmpty();
    }
}

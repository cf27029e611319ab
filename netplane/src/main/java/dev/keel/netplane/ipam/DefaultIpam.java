package dev.keel.netplane.ipam;

import dev.keel.netplane.NetplaneSettings;
import dev.keel.netplane.spi.IpamDriver;
import dev.keel.netplane.spi.NetworkFailure;
import dev.keel.netplane.spi.NetworkFailure.Kind;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Docker's built-in IPAM ("default"): pools per address space that may not overlap, one allocation bitmap per
 * subnet shared by the pools carved from it (an {@code --ip-range} is a pool too), addresses handed out serially
 * from a rolling position so that a released address is not reused at once. State is in memory; the daemon replays
 * live networks and endpoints after a restart (see {@link IpamDriver}).
 *
 * <p>Calls are cheap and synchronized: an address request is a bit-set search from the rolling position.
 */
public final class DefaultIpam implements IpamDriver {

    public static final String NAME = "default";
    public static final String LOCAL_SPACE = "LocalDefault";
    public static final String GLOBAL_SPACE = "GlobalDefault";

    private final List<DefaultBase> defaultBases;
    private final HostRoutes hostRoutes;
    private final Map<String, Map<IpPrefix, Subnet>> subnetsBySpace = new HashMap<>();
    private final Map<String, Pool> poolsById = new HashMap<>();

    /**
     * @param defaultPools Docker's {@code default-address-pools}, each split into subnets of its size, in order
     * @param hostRoutes the host's routes, asked each time a subnet is chosen from the defaults
     */
    public DefaultIpam(List<NetplaneSettings.AddressPoolBase> defaultPools, HostRoutes hostRoutes) {
        this.defaultBases = bases(defaultPools);
        this.hostRoutes = hostRoutes;
        subnetsBySpace.put(LOCAL_SPACE, new HashMap<>());
        subnetsBySpace.put(GLOBAL_SPACE, new HashMap<>());
    }

    public static DefaultIpam fromSettings(NetplaneSettings settings) {
        return new DefaultIpam(settings.defaultAddressPools(), HostRoutes.fromProc());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public AddressSpaces defaultAddressSpaces() {
        return new AddressSpaces(LOCAL_SPACE, GLOBAL_SPACE);
    }

    /** An empty address space means the local default one; the subnet's family wins over {@code v6} when given. */
    @Override
    public synchronized PoolAllocation requestPool(String addressSpace, String pool, String subPool,
                                                   Map<String, String> options, boolean v6) {
        String space = addressSpace.isEmpty() ? LOCAL_SPACE : addressSpace;
        Map<IpPrefix, Subnet> subnets = subnetsBySpace.get(space);
        if (subnets == null) {
            throw new NetworkFailure(Kind.NOT_FOUND, "cannot find address space " + addressSpace);
        }
        if (pool.isEmpty()) {
            if (!subPool.isEmpty()) {
                throw new NetworkFailure(Kind.INVALID_ARGUMENT, "invalid address subpool: " + subPool
                        + " given without a subnet");
            }
            return allocate(space, subnets, chooseDefault(subnets, v6), null);
        }
        IpPrefix subnet = IpPrefix.parse(pool);
        IpPrefix range = null;
        if (!subPool.isEmpty()) {
            range = IpPrefix.parse(subPool);
            if (!subnet.contains(range)) {
                throw new NetworkFailure(Kind.INVALID_ARGUMENT, "invalid address subpool: " + range
                        + " is not within " + subnet);
            }
        }
        Pool existing = poolsById.get(poolId(space, subnet, range));
        if (existing != null) {
            existing.references++;
            return existing.allocation();
        }
        if (!subnets.containsKey(subnet) && subnets.keySet().stream().anyMatch(subnet::overlaps)) {
            throw new NetworkFailure(Kind.CONFLICT, "Pool overlaps with other one on this address space");
        }
        return allocate(space, subnets, subnet, range);
    }

    @Override
    public synchronized void releasePool(String poolId) {
        Pool pool = pool(poolId);
        if (--pool.references > 0) {
            return;
        }
        poolsById.remove(poolId);
        Subnet subnet = pool.subnet;
        subnet.pools--;
        if (subnet.pools == 0) {
            subnetsBySpace.get(pool.space).remove(subnet.prefix);
        }
    }

    @Override
    public synchronized String requestAddress(String poolId, String preferred, Map<String, String> options) {
        Pool pool = pool(poolId);
        IpPrefix prefix = pool.subnet.prefix;
        BigInteger offset;
        if (!preferred.isEmpty()) {
            IpAddress wanted = parseAddress(withoutPrefixLength(preferred));
            if (!prefix.contains(wanted)) {
                throw new NetworkFailure(Kind.INVALID_ARGUMENT, "requested address is out of range");
            }
            offset = prefix.offsetOf(wanted);
            if (pool.subnet.taken.isSet(offset)) {
                throw new NetworkFailure(Kind.CONFLICT, "Address already in use");
            }
        } else if (GATEWAY.equals(options.get(REQUEST_ADDRESS_TYPE))) {
            offset = free(pool, pool.first);
        } else {
            offset = free(pool, pool.cursor);
            pool.cursor = offset.equals(pool.last) ? pool.first : offset.add(BigInteger.ONE);
        }
        pool.subnet.taken.set(offset);
        return prefix.addressAt(offset) + "/" + prefix.bits();
    }

    @Override
    public synchronized void releaseAddress(String poolId, String address) {
        Pool pool = pool(poolId);
        IpAddress released = parseAddress(withoutPrefixLength(address));
        Subnet subnet = pool.subnet;
        if (!subnet.prefix.contains(released)) {
            throw new NetworkFailure(Kind.INVALID_ARGUMENT, "requested address is out of range");
        }
        BigInteger offset = subnet.prefix.offsetOf(released);
        if (!subnet.isReserved(offset)) {
            subnet.taken.clear(offset);
        }
    }

    private PoolAllocation allocate(String space, Map<IpPrefix, Subnet> subnets, IpPrefix prefix, IpPrefix range) {
        Subnet subnet = subnets.computeIfAbsent(prefix, Subnet::new);
        subnet.pools++;
        Pool pool = new Pool(poolId(space, prefix, range), space, subnet, range);
        poolsById.put(pool.id, pool);
        return pool.allocation();
    }

    /**
     * Walks the default bases in order, one subnet of the base's size at a time, jumping over a whole pool or route
     * that covers the candidate, so that a large IPv6 base is never enumerated.
     */
    private IpPrefix chooseDefault(Map<IpPrefix, Subnet> subnets, boolean v6) {
        List<IpPrefix> taken = null;
        for (DefaultBase base : defaultBases) {
            if (base.prefix.v6() != v6) {
                continue;
            }
            if (taken == null) {
                taken = new ArrayList<>(subnets.keySet());
                taken.addAll(hostRoutes.destinations());
            }
            BigInteger step = BigInteger.ONE.shiftLeft(base.prefix.width() - base.size);
            BigInteger end = base.prefix.last();
            BigInteger next = base.prefix.network();
            while (next.compareTo(end) <= 0) {
                IpPrefix candidate = new IpPrefix(next, base.size, v6);
                IpPrefix blocker = taken.stream().filter(candidate::overlaps).findFirst().orElse(null);
                if (blocker == null) {
                    return candidate;
                }
                BigInteger after = blocker.last().add(BigInteger.ONE);
                next = blocker.bits() <= base.size && after.compareTo(next) > 0 ? after : next.add(step);
            }
        }
        throw new NetworkFailure(Kind.NOT_FOUND, "could not find an available, non-overlapping IPv" + (v6 ? 6 : 4)
                + " address pool among the defaults to assign to the network");
    }

    private static BigInteger free(Pool pool, BigInteger from) {
        BigInteger offset = pool.subnet.taken.nextClear(from, pool.last);
        if (offset == null && from.compareTo(pool.first) > 0) {
            offset = pool.subnet.taken.nextClear(pool.first, from.subtract(BigInteger.ONE));
        }
        if (offset == null) {
            throw new NetworkFailure(Kind.FAILED, "no available addresses on this pool");
        }
        return offset;
    }

    private Pool pool(String poolId) {
        Pool pool = poolsById.get(poolId);
        if (pool == null) {
            throw new NetworkFailure(Kind.NOT_FOUND, "cannot find address pool for poolID:" + poolId);
        }
        return pool;
    }

    /** Addresses recorded by the daemon are in CIDR notation; the prefix length is the pool's anyway. */
    private static String withoutPrefixLength(String address) {
        int slash = address.indexOf('/');
        return slash < 0 ? address : address.substring(0, slash);
    }

    private static IpAddress parseAddress(String text) {
        IpAddress address = IpAddress.parseOrNull(text);
        if (address == null) {
            throw new NetworkFailure(Kind.INVALID_ARGUMENT, "invalid address: " + text);
        }
        return address;
    }

    private static String poolId(String space, IpPrefix subnet, IpPrefix range) {
        return space + "/" + subnet + (range == null ? "" : "/" + range);
    }

    private static List<DefaultBase> bases(List<NetplaneSettings.AddressPoolBase> bases) {
        return bases.stream().map(base -> {
            IpPrefix prefix = IpPrefix.parse(base.base());
            if (base.size() < prefix.bits() || base.size() > prefix.width()) {
                throw new IllegalArgumentException("default address pool " + base.base() + " cannot be split into /"
                        + base.size());
            }
            return new DefaultBase(prefix, base.size());
        }).toList();
    }

    /** A {@code default-address-pools} entry: {@code prefix} cut into subnets of length {@code size}. */
    private record DefaultBase(IpPrefix prefix, int size) {}

    /** One subnet of an address space and the addresses taken in it, whichever of its pools gave them. */
    private static final class Subnet {
        final IpPrefix prefix;
        final AddressBitmap taken;
        int pools;

        Subnet(IpPrefix prefix) {
            this.prefix = prefix;
            this.taken = AddressBitmap.forSize(prefix.size());
            BigInteger size = prefix.size();
            // Like Docker: the network address is never given out, nor IPv4's broadcast; a /31 or /32 (RFC 3021)
            // and IPv6's /127 and /128 have none to spare.
            if (size.compareTo(BigInteger.TWO) > 0) {
                taken.set(BigInteger.ZERO);
                if (!prefix.v6()) {
                    taken.set(size.subtract(BigInteger.ONE));
                }
            }
        }

        boolean isReserved(BigInteger offset) {
            if (prefix.size().compareTo(BigInteger.TWO) <= 0) {
                return false;
            }
            return offset.signum() == 0 || (!prefix.v6() && offset.equals(prefix.size().subtract(BigInteger.ONE)));
        }
    }

    /** A pool id handed out: a subnet, optionally narrowed to a range, with its rolling position. */
    private static final class Pool {
        final String id;
        final String space;
        final Subnet subnet;
        final BigInteger first;
        final BigInteger last;
        BigInteger cursor;
        int references = 1;

        Pool(String id, String space, Subnet subnet, IpPrefix range) {
            this.id = id;
            this.space = space;
            this.subnet = subnet;
            IpPrefix span = range == null ? subnet.prefix : range;
            this.first = subnet.prefix.offsetOf(new IpAddress(span.network(), span.v6()));
            this.last = first.add(span.size()).subtract(BigInteger.ONE);
            this.cursor = first;
        }

        PoolAllocation allocation() {
            return new PoolAllocation(id, subnet.prefix.toString(), Map.of());
        }
    }
}

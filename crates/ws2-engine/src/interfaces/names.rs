//! How Linux interfaces are named and typed the Windows way (SPEC P5).
//!
//! One scheme, used by every call that shows a name:
//! - **FriendlyName** (`IP_ADAPTER_ADDRESSES`, the interface alias) and
//!   **Description**: the Linux interface name (`eth0`, `veth1`, `lo`).
//!   Windows shows a human-readable name there; on Linux that is the
//!   interface name, which is also what `ip` and every Linux tool show.
//! - **AdapterName** (`IP_ADAPTER_ADDRESSES`, `IP_ADAPTER_INFO`): an
//!   uppercase `{GUID}`, as Windows shows there. The GUID is derived, by a
//!   fixed 128-bit FNV-1a hash, from the interface index and name (RFC 9562
//!   version 8, "custom"): the same interface gives the same GUID in every
//!   process and call, and two interfaces of one host never share one.
//! - **LUID** (`NET_LUID`): `IfType` in bits 48–63 (as on Windows), the
//!   Linux interface index as `NetLuidIndex` (bits 24–47), reserved bits 0.
//!   So a LUID converts to an index and back without a table.
//! - **LUID name** (`ConvertInterfaceLuidToNameA`, `if_indextoname`):
//!   Windows' `<type>_<NetLuidIndex>` form: `ethernet_3`, `loopback_1`,
//!   `tunnel_7`, `iftype199_4` for types without a word. `if_nametoindex`
//!   takes these names and, so that configured Linux names keep working,
//!   the Linux interface name too; a `{GUID}` is refused as on Windows.
//! - **IfType**: IANA numbers as Windows uses them: loopback 24; Ethernet
//!   and everything that frames like it (veth, bridge, bond, dummy, VLAN,
//!   macvlan: `ARPHRD_ETHER`) 6; PPP 23; IP tunnels, `tun` and WireGuard
//!   (`ARPHRD_NONE`) 131; IEEE 802.11 monitor links 71; ATM 37;
//!   IEEE 1394 144; InfiniBand 199; anything else 1 (other).

use ws2_abi as abi;

use super::netlink::Link;

// ARPHRD_* (linux/if_arp.h).
const ARPHRD_ETHER: u16 = 1;
const ARPHRD_EETHER: u16 = 2;
const ARPHRD_IEEE802: u16 = 6;
const ARPHRD_ATM: u16 = 19;
const ARPHRD_IEEE1394: u16 = 24;
const ARPHRD_INFINIBAND: u16 = 32;
const ARPHRD_PPP: u16 = 512;
const ARPHRD_TUNNEL: u16 = 768;
const ARPHRD_TUNNEL6: u16 = 769;
const ARPHRD_LOOPBACK: u16 = 772;
const ARPHRD_SIT: u16 = 776;
const ARPHRD_IPGRE: u16 = 778;
const ARPHRD_IEEE802_TR: u16 = 800;
const ARPHRD_IEEE80211: u16 = 801;
const ARPHRD_IEEE80211_RADIOTAP: u16 = 803;
const ARPHRD_IP6GRE: u16 = 823;
const ARPHRD_NONE: u16 = 0xFFFE;

/// The Windows `IfType` of a Linux link.
pub(crate) fn if_type(link: &Link) -> abi::IFTYPE {
    match link.link_type {
        ARPHRD_LOOPBACK => abi::IF_TYPE_SOFTWARE_LOOPBACK,
        ARPHRD_ETHER | ARPHRD_EETHER | ARPHRD_IEEE802 => abi::IF_TYPE_ETHERNET_CSMACD,
        ARPHRD_PPP => abi::IF_TYPE_PPP,
        ARPHRD_TUNNEL | ARPHRD_TUNNEL6 | ARPHRD_SIT | ARPHRD_IPGRE | ARPHRD_IP6GRE
        | ARPHRD_NONE => abi::IF_TYPE_TUNNEL,
        ARPHRD_IEEE80211..=ARPHRD_IEEE80211_RADIOTAP => abi::IF_TYPE_IEEE80211,
        ARPHRD_IEEE802_TR => abi::IF_TYPE_ISO88025_TOKENRING,
        ARPHRD_ATM => abi::IF_TYPE_ATM,
        ARPHRD_IEEE1394 => abi::IF_TYPE_IEEE1394,
        ARPHRD_INFINIBAND => abi::IF_TYPE_INFINIBAND,
        _ => abi::IF_TYPE_OTHER,
    }
}

/// The word Windows puts before `_<NetLuidIndex>` in a LUID name.
fn type_word(if_type: abi::IFTYPE) -> Option<&'static str> {
    Some(match if_type {
        abi::IF_TYPE_OTHER => "other",
        abi::IF_TYPE_ETHERNET_CSMACD => "ethernet",
        abi::IF_TYPE_ISO88025_TOKENRING => "tokenring",
        abi::IF_TYPE_PPP => "ppp",
        abi::IF_TYPE_SOFTWARE_LOOPBACK => "loopback",
        abi::IF_TYPE_ATM => "atm",
        abi::IF_TYPE_IEEE80211 => "wireless",
        abi::IF_TYPE_TUNNEL => "tunnel",
        abi::IF_TYPE_IEEE1394 => "ieee1394",
        _ => return None,
    })
}

/// The LUID of interface `index` of type `if_type`.
pub(crate) fn luid(index: u32, if_type: abi::IFTYPE) -> abi::NET_LUID {
    abi::NET_LUID::new(if_type, index)
}

/// `ConvertInterfaceLuidToNameA`'s name: `ethernet_3`, `iftype199_4`.
///
/// ```
/// # use ws2_abi::NET_LUID;
/// assert_eq!(ws2_engine::interfaces::luid_name(NET_LUID::new(24, 1)), "loopback_1");
/// assert_eq!(ws2_engine::interfaces::luid_name(NET_LUID::new(199, 4)), "iftype199_4");
/// // The loopback interface's own LUID names it.
/// let lo = ws2_engine::interfaces()?.into_iter().find(|i| i.is_loopback()).unwrap();
/// assert_eq!(ws2_engine::interfaces::luid_name(ws2_abi::NET_LUID { Value: lo.luid() }),
///            format!("loopback_{}", lo.index));
/// # Ok::<(), ws2_engine::Error>(())
/// ```
pub fn luid_name(luid: abi::NET_LUID) -> String {
    let index = luid.net_luid_index();
    match type_word(luid.if_type()) {
        Some(word) => format!("{word}_{index}"),
        None => format!("iftype{}_{index}", luid.if_type()),
    }
}

/// The LUID a LUID name spells, if it is one (`ethernet_3`).
pub(crate) fn parse_luid_name(name: &str) -> Option<abi::NET_LUID> {
    let (word, index) = name.rsplit_once('_')?;
    if index.is_empty() || !index.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let index: u32 = index.parse().ok().filter(|&i| i <= 0xff_ffff)?;
    let if_type = match word.strip_prefix("iftype") {
        Some(n) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => n.parse().ok()?,
        _ => [1, 6, 9, 23, 24, 37, 71, 131, 144]
            .into_iter()
            .find(|&t| type_word(t) == Some(word))?,
    };
    Some(abi::NET_LUID::new(if_type, index))
}

/// 128-bit FNV-1a.
fn fnv1a_128(bytes: &[u8]) -> u128 {
    const OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
    const PRIME: u128 = 0x0000000001000000000000000000013B;
    bytes
        .iter()
        .fold(OFFSET, |h, &b| (h ^ b as u128).wrapping_mul(PRIME))
}

/// The interface's GUID (see the module comment).
pub(crate) fn guid(index: u32, name: &str) -> abi::GUID {
    let mut input = b"ws2 interface ".to_vec();
    input.extend_from_slice(&index.to_le_bytes());
    input.extend_from_slice(name.as_bytes());
    let h = fnv1a_128(&input).to_be_bytes();
    let mut d4 = [0u8; 8];
    d4.copy_from_slice(&h[8..16]);
    d4[0] = (d4[0] & 0x3f) | 0x80; // RFC 9562 variant
    abi::GUID {
        Data1: u32::from_be_bytes([h[0], h[1], h[2], h[3]]),
        Data2: u16::from_be_bytes([h[4], h[5]]),
        Data3: (u16::from_be_bytes([h[6], h[7]]) & 0x0fff) | 0x8000, // version 8
        Data4: d4,
    }
}

/// `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}`, uppercase, as `AdapterName`.
pub(crate) fn guid_string(g: &abi::GUID) -> String {
    let d = &g.Data4;
    format!(
        "{{{:08X}-{:04X}-{:04X}-{:02X}{:02X}-{:02X}{:02X}{:02X}{:02X}{:02X}{:02X}}}",
        g.Data1, g.Data2, g.Data3, d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luid_names_round_trip() {
        // P5 (iphlpapi.c test_interface_identifier_conversion: <type>_<index>)
        for (t, i, name) in [
            (6, 3, "ethernet_3"),
            (24, 1, "loopback_1"),
            (131, 9, "tunnel_9"),
            (199, 4, "iftype199_4"),
        ] {
            let l = luid(i, t);
            assert_eq!(luid_name(l), name);
            assert_eq!(parse_luid_name(name), Some(l));
        }
        for bad in [
            "eth0",
            "ethernet_",
            "ethernet_x",
            "_3",
            "{00000001-0000-0000-0000-000000000000}",
            "iftype_3",
        ] {
            assert_eq!(parse_luid_name(bad), None, "{bad}");
        }
    }

    #[test]
    fn guids_are_stable_distinct_and_uppercase() {
        // P5 (iphlpapi.c test_GetAdaptersAddresses: AdapterName is the {GUID})
        let a = guid_string(&guid(2, "veth0"));
        assert_eq!(a, guid_string(&guid(2, "veth0")));
        assert_ne!(a, guid_string(&guid(3, "veth0")));
        assert_ne!(a, guid_string(&guid(2, "veth1")));
        assert_eq!(a.len(), 38);
        assert!(a.starts_with('{') && a.ends_with('}'));
        assert_eq!(a, a.to_uppercase());
        assert_eq!(&a[15..16], "8", "version 8: {a}");
    }
}

//! Pinning the capture's threads to CPUs (`--cpus`): keep them off the CPUs
//! that run the NIC's interrupts and NAPI, as PF_RING and DPDK users do.
#![allow(unsafe_code)] // sched_setaffinity is a libc call; the block says why it is sound.

use std::io;

/// A CPU list as `taskset -c` and the kernel's cpulist files write it:
/// `1`, `0,2`, `2-5`, `0,4-7`. Errors name the part that is wrong.
pub fn parse_cpu_list(list: &str) -> Result<Vec<usize>, String> {
    let mut cpus = Vec::new();
    for part in list.split(',').map(str::trim) {
        let number = |s: &str| {
            s.parse::<usize>()
                .ok()
                .filter(|&n| n < libc::CPU_SETSIZE as usize)
                .ok_or_else(|| format!("`{part}` is not a CPU number or range"))
        };
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (number(a)?, number(b)?);
                if a > b {
                    return Err(format!("`{part}`: the range runs backwards"));
                }
                cpus.extend(a..=b);
            }
            None => cpus.push(number(part)?),
        }
    }
    cpus.sort_unstable();
    cpus.dedup();
    Ok(cpus)
}

/// Pins the calling thread to `cpus` (it may run on any of them).
pub fn pin_current_thread(cpus: &[usize]) -> io::Result<()> {
    // SAFETY: cpu_set_t is plain data that CPU_ZERO/CPU_SET fill in; every
    // index is below CPU_SETSIZE (checked by `parse_cpu_list`, and again here);
    // sched_setaffinity reads the set we pass, for this thread (pid 0).
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_ZERO(&mut set);
        for &c in cpus.iter().filter(|&&c| c < libc::CPU_SETSIZE as usize) {
            libc::CPU_SET(c, &mut set);
        }
        if libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_lists_read_as_taskset_writes_them() {
        assert_eq!(parse_cpu_list("1"), Ok(vec![1]));
        assert_eq!(parse_cpu_list("0,4-6,2"), Ok(vec![0, 2, 4, 5, 6]));
        assert_eq!(parse_cpu_list("3,3"), Ok(vec![3]));
        assert!(parse_cpu_list("5-2").unwrap_err().contains("backwards"));
        assert!(parse_cpu_list("a").unwrap_err().contains("`a`"));
        assert!(parse_cpu_list("").is_err());
    }
}

// The vivid driver for the vimc VM: Debian builds it (unlike vimc) into the same kernel package
// the VM boots, so its module and the three it needs beyond the VM's own are taken from that
// package (downloaded once with apt-get, kept in ~/.cache/ts-ipa-vivid/<package>/).
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/** In load order; vivid also needs vimc's (mc, videodev, v4l2-tpg, videobuf2-*), loaded at boot. */
const MODULES = ['rc/rc-core.ko', 'cec/core/cec.ko', 'v4l2-core/v4l2-dv-timings.ko', 'test-drivers/vivid/vivid.ko'];

/**
 * The kernel package the VM boots, found as the VM tool finds it, from package lists brought up
 * to date first: the VM tool updates them itself when it installs what it needs, after this has
 * run, and a kernel named by the older lists is not the one it then boots (its modules do not load).
 */
function kernelPackage() {
  execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const depends = execFileSync('apt-cache', ['depends', 'linux-image-amd64'], { encoding: 'utf8' });
  const found = /Depends: (linux-image-[0-9]\S*)/.exec(depends);
  if (!found) throw new Error('vivid: apt-cache names no kernel package for linux-image-amd64');
  return found[1];
}

/** The modules' files, in load order, fetched once. */
function vividModules() {
  const pkg = kernelPackage();
  const cache = path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'ts-ipa-vivid', pkg);
  const files = MODULES.map((m) => path.join(cache, path.basename(m)));
  if (files.every((f) => fs.existsSync(f))) return files;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ts-ipa-vivid-'));
  try {
    execFileSync('apt-get', ['download', '-qq', pkg], { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] });
    const deb = fs.readdirSync(work).find((f) => f.endsWith('.deb'));
    if (!deb) throw new Error(`vivid: apt-get download ${pkg} left no package`);
    execFileSync('dpkg-deb', ['-x', deb, 'kern'], { cwd: work });
    const release = pkg.replace(/^linux-image-/, '');
    const media = path.join(work, 'kern/lib/modules', release, 'kernel/drivers/media');
    fs.mkdirSync(cache, { recursive: true });
    MODULES.forEach((m, i) => fs.copyFileSync(path.join(media, m), files[i]));
    return files;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Copies the modules into `dir`/vivid and returns the guest's shell line that loads them (before
 * the suite runs in /project): vivid with video capture and output and metadata capture and
 * output nodes (node_types bits 0, 8, 17, 18).
 */
function stageVivid(dir) {
  const into = path.join(dir, 'vivid');
  fs.mkdirSync(into, { recursive: true });
  const names = vividModules().map((file) => {
    fs.copyFileSync(file, path.join(into, path.basename(file)));
    return path.basename(file);
  });
  const last = names.pop();
  return [...names.map((n) => `insmod vivid/${n}`), `insmod vivid/${last} node_types=0x60101`].join(' && ');
}

module.exports = { stageVivid };

// Bench setup step: mediasoup (npm `mediasoup`, 3.x) as a second reference server, its C++ worker built from
// source against Debian's libraries. mediasoup's own install script downloads a prebuilt worker (unreachable
// here) or builds with meson subprojects it downloads; instead the package is installed with --ignore-scripts
// into a cache directory outside the repository (never a dependency `npm ci` installs), every meson subproject
// is replaced by a stub that hands over the Debian package's dependency(), meson_version is lowered to what
// Debian ships (1.0), and two small headers map the libsrtp3 calls onto libsrtp2 and supply two liburing 2.4
// helpers. `node --import tsx bench/mediasoup/build-worker.ts` prints the worker's path or the reason it could
// not build it (log in the cache directory); `npm run bench` calls `mediasoupWorker()` and skips mediasoup with
// that reason. Needs: apt-get install -y meson ninja-build pkg-config flatbuffers-compiler libflatbuffers-dev
// libuv1-dev libsrtp2-dev libusrsctp-dev libabsl-dev liburing-dev libssl-dev.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { pathToFileURL } from 'node:url';
import { SRTP_COMPAT_H, URING_COMPAT_H } from './compat-headers.js';

export const MEDIASOUP_RANGE = '3';
const DEBIAN_PACKAGES =
  'meson ninja-build pkg-config flatbuffers-compiler libflatbuffers-dev libuv1-dev libsrtp2-dev libusrsctp-dev ' +
  'libabsl-dev liburing-dev libssl-dev';

/** Where the package and the build live: a cache directory, never inside the repository. */
export function mediasoupDir(): string {
  // eslint-disable-next-line no-restricted-properties -- a bench setup step, configured by its environment
  const env = process.env;
  return env.CONVENE_MEDIASOUP_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'convene-mediasoup');
}

/** Each meson subproject mediasoup uses -> the variables its meson.build reads -> what they become. */
const STUBS: Record<string, { deps: Record<string, string>; libs: string[]; options?: string[] }> = {
  openssl: { deps: { openssl_dep: "dependency('openssl')" }, libs: ['libcrypto_lib', 'libssl_lib'] },
  libuv: {
    deps: { libuv_dep: "dependency('libuv')" },
    libs: ['libuv'],
    options: ["option('build_tests', type: 'boolean')", "option('build_benchmarks', type: 'boolean')"],
  },
  libsrtp3: {
    deps: {
      libsrtp3_dep:
        "declare_dependency(dependencies: dependency('libsrtp2'), include_directories: include_directories('.'))",
    },
    libs: ['libsrtp3'],
    options: [
      "option('crypto-library', type: 'string')",
      "option('crypto-library-kdf', type: 'string')",
      "option('tests', type: 'string')",
    ],
  },
  usrsctp: {
    deps: { usrsctp_dep: "dependency('usrsctp')" },
    libs: ['usrsctp'],
    options: ["option('sctp_build_programs', type: 'boolean')"],
  },
  'abseil-cpp': {
    deps: {
      absl_container_dep:
        "declare_dependency(dependencies: [dependency('absl_flat_hash_map'), dependency('absl_flat_hash_set'), dependency('absl_btree')])",
      absl_strings_dep: "dependency('absl_strings')",
      absl_types_dep: "declare_dependency(dependencies: [dependency('absl_optional'), dependency('absl_memory')])",
    },
    libs: ['absl_container_lib'],
  },
  flatbuffers: { deps: { flatbuffers_dep: "dependency('flatbuffers')" }, libs: ['flatbuffers_lib'] },
  liburing: {
    deps: {
      uring:
        "declare_dependency(dependencies: dependency('liburing'), compile_args: ['-include', meson.current_source_dir() / 'uring-compat.h'])",
    },
    libs: ['liburing'],
  },
  catch2: { deps: { catch2_dep: "dependency('', required: false)" }, libs: [] },
};

function stubMeson(name: string): string {
  const s = STUBS[name]!;
  const lines = [`project('${name}-debian', 'c', meson_version: '>= 1.0.0')`];
  for (const [v, expr] of Object.entries(s.deps)) lines.push(`${v} = ${expr}`);
  // link_whole wants static libraries: an empty one stands for the subproject's, the code comes from the .so.
  for (const v of s.libs) lines.push(`${v} = static_library('${v}-empty', 'empty.c')`);
  return lines.join('\n') + '\n';
}

function patchSources(worker: string): void {
  const mesonBuild = join(worker, 'meson.build');
  let text = readFileSync(mesonBuild, 'utf8');
  text = text.replace(/meson_version\s*:\s*'>= ?[0-9.]+'/, "meson_version: '>= 1.0.0'");
  // The test and fuzzer executables are never built here.
  const cut = text.indexOf('\ntest_sources = [');
  if (cut > 0) text = text.slice(0, cut) + '\n';
  writeFileSync(mesonBuild, text);
  const sub = join(worker, 'subprojects');
  for (const f of readdirSync(sub)) rmSync(join(sub, f), { recursive: true, force: true });
  for (const name of Object.keys(STUBS)) {
    const d = join(sub, name);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'meson.build'), stubMeson(name));
    const options = STUBS[name]!.options ?? [];
    if (options.length > 0) writeFileSync(join(d, 'meson_options.txt'), options.join('\n') + '\n');
    writeFileSync(join(d, 'empty.c'), 'int convene_empty_stub_' + name.replace(/\W/g, '_') + ';\n');
  }
  writeFileSync(join(sub, 'libsrtp3', 'srtp.h'), SRTP_COMPAT_H);
  writeFileSync(join(sub, 'liburing', 'uring-compat.h'), URING_COMPAT_H);
}

function run(cmd: string, args: string[], cwd: string, log: string): void {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  writeFileSync(log, `$ ${cmd} ${args.join(' ')}\n${r.stdout ?? ''}${r.stderr ?? ''}\n`, { flag: 'a' });
  if (r.error !== undefined) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args[0] ?? ''} failed (exit ${String(r.status)}; see ${log})`);
}

/** The built worker's path, building it first when needed; a reason string when it cannot be built. */
export function mediasoupWorker(): { bin: string; version: string; moduleDir: string } | { skip: string } {
  const dir = mediasoupDir();
  const log = join(dir, 'build.log');
  try {
    mkdirSync(dir, { recursive: true });
    const moduleDir = join(dir, 'node_modules', 'mediasoup');
    if (!existsSync(join(moduleDir, 'package.json'))) {
      writeFileSync(join(dir, 'package.json'), '{ "name": "convene-bench-mediasoup", "private": true }\n');
      run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', `mediasoup@${MEDIASOUP_RANGE}`], dir, log);
    }
    const version = (JSON.parse(readFileSync(join(moduleDir, 'package.json'), 'utf8')) as { version: string }).version;
    const build = join(dir, `worker-${version}`);
    const bin = join(build, 'out', 'mediasoup-worker');
    if (existsSync(bin)) return { bin, version, moduleDir };
    try {
      execFileSync('sh', ['-c', 'command -v meson && command -v ninja && command -v flatc'], { stdio: 'ignore' });
    } catch {
      return { skip: `mediasoup worker not built: meson/ninja/flatc missing (apt-get install -y ${DEBIAN_PACKAGES})` };
    }
    rmSync(build, { recursive: true, force: true });
    cpSync(join(moduleDir, 'worker'), join(build, 'src'), { recursive: true });
    patchSources(join(build, 'src'));
    const setup = ['setup', '--buildtype', 'release', '--wrap-mode=nodownload', '-Db_ndebug=true', join(build, 'out')];
    run('meson', setup, join(build, 'src'), log);
    // The flatbuffers headers first: mediasoup's libwebrtc target includes them without depending on them.
    run('ninja', ['-C', join(build, 'out'), 'fbs/FBS'], join(build, 'src'), log);
    run('ninja', ['-C', join(build, 'out'), 'mediasoup-worker'], join(build, 'src'), log);
    return existsSync(bin) ? { bin, version, moduleDir } : { skip: `mediasoup worker not built (see ${log})` };
  } catch (err) {
    return { skip: `mediasoup worker not built: ${(err as Error).message}` };
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = mediasoupWorker();
  process.stdout.write('skip' in r ? `${r.skip}\n` : `mediasoup ${r.version} worker: ${r.bin}\n`);
  process.exitCode = 'skip' in r ? 1 : 0;
}

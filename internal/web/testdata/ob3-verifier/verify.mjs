// Verifies a Lectern Open Badges 3.0 credential with Digital Bazaar's
// reference libraries, so that someone else's code, not only ours, says
// whether Lectern's credentials are valid (issue 24).
//
//   node verify.mjs --base http://127.0.0.1:PORT [--now ISO] FILE.json
//   node verify.mjs --proof-only FILE.json     (the W3C vc-di-eddsa vectors)
//
// Exit 0: verified. Exit 1: not verified (the library's error is printed).
// Exit 2: usage, or the vendored contexts missing or not as pinned.
// Stdout is one JSON line: {"verified": …, "error": …, …}.
//
// Nothing is fetched from the internet. The document loader answers
//   - JSON-LD contexts ONLY from the files Lectern's Go side vendors
//     (internal/vc/contexts, mapped URL → file by its index.json; a file
//     whose SHA-256 differs from SOURCES.md is refused);
//   - the issuer did:web derived from --base (its DID document and the
//     verification methods in it, by fragment), fetched from --base;
//   - status-list credentials under --base, fetched from --base;
// and refuses anything else (fail closed). --proof-only checks the proof
// alone (AssertionProofPurpose, no issuer match, no status) and resolves
// did:key locally, which is what the W3C test vectors use.
import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {basename, dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';

import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import jsigs from 'jsonld-signatures';

const {purposes: {AssertionProofPurpose}} = jsigs;

const here = dirname(fileURLToPath(import.meta.url));
const DID_CONTEXT = 'https://www.w3.org/ns/did/v1';
const MULTIKEY_CONTEXT = 'https://w3id.org/security/multikey/v1';

function usage(message) {
  process.stderr.write(`${message}\n` +
    'usage: node verify.mjs --base http://HOST:PORT [--now ISO] ' +
    '[--contexts DIR] FILE.json\n' +
    '       node verify.mjs --proof-only [--contexts DIR] FILE.json\n');
  process.exit(2);
}

function parseArgs(argv) {
  const opts = {
    contexts: resolve(here, '../../../vc/contexts'),
    proofOnly: false
  };
  const files = [];
  // --name=value is --name value
  argv = argv.flatMap(a => /^--[^=]+=/.test(a) ?
    [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a]);
  for(let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if(i + 1 >= argv.length) {
        usage(`${a} needs a value`);
      }
      return argv[++i];
    };
    if(a === '--base') {
      opts.base = value();
    } else if(a === '--now') {
      opts.now = value();
    } else if(a === '--contexts') {
      opts.contexts = resolve(value());
    } else if(a === '--proof-only') {
      opts.proofOnly = true;
    } else if(a.startsWith('--')) {
      usage(`unknown option ${a}`);
    } else {
      files.push(a);
    }
  }
  if(files.length !== 1) {
    usage('exactly one credential file is needed');
  }
  opts.file = files[0];
  if(!opts.proofOnly && !opts.base) {
    usage('--base is needed (the Lectern server the issuer DID names)');
  }
  if(opts.base !== undefined) {
    let u;
    try {
      u = new URL(opts.base);
    } catch(e) {
      usage(`--base ${opts.base}: ${e.message}`);
    }
    if(u.protocol !== 'http:' && u.protocol !== 'https:' ||
      u.search || u.hash) {
      usage(`--base ${opts.base}: an http(s) URL without query or fragment`);
    }
    opts.base = u.href.replace(/\/+$/, '');
  }
  if(opts.now !== undefined && isNaN(new Date(opts.now).getTime())) {
    usage(`--now ${opts.now}: not a date`);
  }
  return opts;
}

// readContexts maps each context URL to its vendored file's parsed JSON, as
// the Go loader does: index.json (URL → file) in the contexts folder. Each
// file's SHA-256 is checked against its row in SOURCES.md (| URL | file | … |
// SHA-256 |), so Node and Go are sure to read the same, pinned bytes.
function readContexts(dir) {
  let index;
  let sources;
  try {
    index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
    sources = readFileSync(join(dir, 'SOURCES.md'), 'utf8');
  } catch(e) {
    throw new Error(`vendored contexts: ${e.message}`);
  }
  const pinned = new Map();
  for(const line of sources.split('\n')) {
    const cells = line.split('|').map(c => c.trim().replace(/^`|`$/g, ''));
    const hash = cells.find(c => /^[0-9a-f]{64}$/i.test(c));
    if(hash) {
      for(const c of cells) {
        pinned.set(c, hash.toLowerCase());
      }
    }
  }
  const contexts = new Map();
  for(const [url, file] of Object.entries(index)) {
    if(file !== basename(file)) {
      throw new Error(`vendored contexts: ${file} is not in ${dir}`);
    }
    const bytes = readFileSync(join(dir, file));
    const got = createHash('sha256').update(bytes).digest('hex');
    const want = pinned.get(file);
    if(want !== got) {
      throw new Error(`vendored contexts: ${file} has SHA-256 ${got}, ` +
        `SOURCES.md says ${want ?? 'nothing'}`);
    }
    contexts.set(url, JSON.parse(bytes.toString('utf8')));
  }
  if(contexts.size === 0) {
    throw new Error(`vendored contexts: no context in ${dir}/index.json`);
  }
  return contexts;
}

// didWebOf gives the did:web a base URL stands for (did:web method spec:
// the port's colon percent-encoded, path segments joined by colons).
function didWebOf(base) {
  const u = new URL(base);
  const segments = u.pathname.split('/').filter(s => s !== '')
    .map(encodeURIComponent);
  return ['did:web', encodeURIComponent(u.host), ...segments].join(':');
}

async function getJSON(url) {
  const res = await fetch(url, {
    headers: {accept: 'application/json'},
    redirect: 'error'
  });
  if(!res.ok) {
    throw new Error(`GET ${url}: HTTP ${res.status}`);
  }
  return res.json();
}

// didKeyDocument resolves an Ed25519 did:key locally: the key is the id.
function didKeyDocument(did) {
  const key = did.slice('did:key:'.length);
  if(!/^z6Mk[1-9A-HJ-NP-Za-km-z]+$/.test(key)) {
    throw new Error(`${did}: only Ed25519 did:key is resolved`);
  }
  const vm = {
    id: `${did}#${key}`, type: 'Multikey', controller: did,
    publicKeyMultibase: key
  };
  return {
    '@context': [DID_CONTEXT, MULTIKEY_CONTEXT],
    id: did,
    verificationMethod: [vm],
    assertionMethod: [vm.id],
    authentication: [vm.id]
  };
}

function makeLoader({contexts, base, proofOnly}) {
  const issuerDID = base ? didWebOf(base) : undefined;
  // the DID document: the root of the base for a host-only did:web,
  // base/did.json when the base has a path (did:web method spec).
  const didURL = base && (new URL(base).pathname.replace(/\/+$/, '') === '' ?
    `${base}/.well-known/did.json` : `${base}/did.json`);
  let didDocument;

  async function resolveDID(did) {
    if(did === issuerDID) {
      if(!didDocument) {
        didDocument = await getJSON(didURL);
        if(didDocument.id !== did) {
          throw new Error(`${didURL} describes ${didDocument.id}, not ${did}`);
        }
      }
      return didDocument;
    }
    if(proofOnly && did.startsWith('did:key:')) {
      return didKeyDocument(did);
    }
    throw new Error(`${did}: not resolved (only ${issuerDID ?? 'did:key'})`);
  }

  return async function documentLoader(url) {
    if(contexts.has(url)) {
      return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
    }
    if(url.startsWith('did:')) {
      const [did, fragment] = url.split('#', 2);
      const doc = await resolveDID(did);
      if(fragment === undefined) {
        return {contextUrl: null, documentUrl: url, document: doc};
      }
      const vm = [].concat(doc.verificationMethod ?? [])
        .find(m => typeof m === 'object' && m.id === url);
      if(!vm) {
        throw new Error(`${url}: no such verification method in ${did}`);
      }
      if(vm.controller !== did) {
        throw new Error(`${url}: controlled by ${vm.controller}, not ${did}`);
      }
      return {
        contextUrl: null, documentUrl: url,
        document: {'@context': doc['@context'], ...vm}
      };
    }
    if(base && url.startsWith(`${base}/credentials/status/`) &&
      !url.includes('#')) {
      return {contextUrl: null, documentUrl: url, document: await getJSON(url)};
    }
    throw new Error(`${url}: not loaded (offline loader, fail closed)`);
  };
}

// revoked turns a status bit that is set into a refusal: checkStatus
// reports "verified" for a well-formed, signed status list whatever the
// bit says, and leaves judging the bit to the relying party.
async function checkStatusStrictly(options) {
  const result = await checkStatus(options);
  if(!result.verified) {
    return result;
  }
  const set = (result.results ?? []).filter(r => r.status === true);
  if(set.length > 0) {
    const purposes = set.map(r => r.credentialStatus?.statusPurpose);
    return {
      ...result, verified: false,
      error: new Error(`status list says: ${purposes.join(', ')}`)
    };
  }
  return result;
}

function message(result) {
  const errors = [];
  const walk = e => {
    if(!e) {
      return;
    }
    if(Array.isArray(e)) {
      e.forEach(walk);
      return;
    }
    errors.push(e.message ?? String(e));
    if(e.errors) {
      walk(e.errors);
    }
    walk(e.cause);
    walk(e.details?.cause); // jsonld's errors keep the loader's here
  };
  walk(result.error);
  for(const r of result.results ?? []) {
    walk(r.error);
  }
  walk(result.statusResult?.error);
  for(const r of result.statusResult?.results ?? []) {
    walk(r.error);
  }
  return [...new Set(errors)].join('; ') || 'not verified';
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  let credential;
  try {
    credential = JSON.parse(readFileSync(opts.file, 'utf8'));
  } catch(e) {
    usage(`${opts.file}: ${e.message}`);
  }
  let contexts;
  try {
    contexts = readContexts(opts.contexts);
  } catch(e) {
    // a broken set-up says nothing about the credential: not a refusal
    usage(e.message);
  }
  const documentLoader = makeLoader({...opts, contexts});
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
  const options = {
    credential, suite, documentLoader,
    now: opts.now ? new Date(opts.now) : undefined
  };
  if(opts.proofOnly) {
    options.purpose = new AssertionProofPurpose();
  } else {
    // CredentialIssuancePurpose (vc's default) also requires the issuer to
    // be the verification method's controller.
    options.checkStatus = checkStatusStrictly;
  }
  const result = await vc.verifyCredential(options);
  const out = {verified: result.verified === true};
  if(out.verified) {
    out.issuer = typeof credential.issuer === 'object' ?
      credential.issuer.id : credential.issuer;
    out.verificationMethod = credential.proof?.verificationMethod;
    out.status = (result.statusResult?.results ?? []).map(r => ({
      statusPurpose: r.credentialStatus?.statusPurpose, status: r.status
    }));
  } else {
    out.error = message(result);
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
  process.exit(out.verified ? 0 : 1);
}

main().catch(e => {
  process.stdout.write(`${JSON.stringify({verified: false, error: e.message})}\n`);
  process.exit(1);
});

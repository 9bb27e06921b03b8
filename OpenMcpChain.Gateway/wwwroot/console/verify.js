// Checks a task's provenance (or a proof bundle) in the browser: the EIP-712 signature with ethers, the RFC 9162
// inclusion proof with WebCrypto SHA-256 (mirroring OpenMcpChain.Sdk/Proofs/MerkleProof.cs), the anchor against the log.
import { verifyTypedData, verifyMessage, keccak256, toUtf8Bytes, getAddress } from './lib/ethers.min.js';

const hexPattern = /^0x[0-9a-fA-F]{64}$/;

function bytesOfHex(hex) {
  const clean = hex.startsWith('0x') ? hex.slice(2) : hex;
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.substr(i * 2, 2), 16);
  return out;
}

const hexOf = bytes => '0x' + [...bytes].map(b => b.toString(16).padStart(2, '0')).join('');

async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

/** RFC 9162 leaf hash: SHA-256(0x00 ‖ entry). */
export async function leafHash(entryBytes) {
  const buffer = new Uint8Array(entryBytes.length + 1);
  buffer[0] = 0x00;
  buffer.set(entryBytes, 1);
  return sha256(buffer);
}

/** RFC 9162 node hash: SHA-256(0x01 ‖ left ‖ right). */
export async function nodeHash(left, right) {
  const buffer = new Uint8Array(65);
  buffer[0] = 0x01;
  buffer.set(left, 1);
  buffer.set(right, 33);
  return sha256(buffer);
}

const equalBytes = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/** RFC 9162 §2.1.3.2, step for step as MerkleProof.VerifyInclusion (sizes as BigInt: they may pass 2^53). */
export async function verifyInclusion(leafIndex, treeSize, leaf, path, root) {
  let fn = BigInt(leafIndex);
  let sn = BigInt(treeSize) - 1n;
  if (fn < 0n || fn > sn || leaf.length !== 32) return false;
  let r = leaf;
  for (const p of path) {
    if (sn === 0n || p.length !== 32) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = await nodeHash(p, r);
      if ((fn & 1n) === 0n) {
        do {
          fn >>= 1n;
          sn >>= 1n;
        } while ((fn & 1n) === 0n && fn !== 0n);
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && equalBytes(r, root);
}

/** A JSON number as written: .NET's JsonNode keeps a number's text (1.0, 1E+2), where JSON.parse would make it 1 and 100. */
class JsonNumber {
  constructor(text) { this.text = text; }
}

/** JSON.parse, keeping each number's text for canonicalJson (where the browser offers the reviver's source text). */
export function parseJson(text) {
  return JSON.parse(text, (key, value, context) => typeof value === 'number' && context?.source ? new JsonNumber(context.source) : value);
}

// What JavaScriptEncoder.UnsafeRelaxedJsonEscaping writes as \uXXXX: controls, unassigned and private-use code points,
// line and paragraph separators, spaces other than U+0020, the byte order mark, and each half of an astral character.
// (Code points Unicode assigned after the version .NET's table knows differ; they fail the check, never pass it wrongly.)
const escaped = /[\p{Cc}\p{Cn}\p{Co}\p{Zl}\p{Zp}\p{Zs}\uFEFF"\\]|[\u{10000}-\u{10FFFF}]|[\uD800-\uDFFF]/gu;
const shortEscapes = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r', ' ': ' ' };
const unicodeEscape = unit => '\\u' + unit.toString(16).toUpperCase().padStart(4, '0');

function quote(text) {
  return '"' + text.replace(escaped, c => shortEscapes[c]
    ?? (c.length === 2 ? unicodeEscape(c.charCodeAt(0)) + unicodeEscape(c.charCodeAt(1)) : unicodeEscape(c >= '\uD800' && c <= '\uDFFF' ? 0xFFFD : c.charCodeAt(0)))) + '"';
}

/**
 * OpenMcpChain.Sdk CanonicalJson, byte for byte: keys sorted by UTF-16 code unit (written in that order, since a JS
 * object would put integer-like keys first), no whitespace, numbers as written (see parseJson), .NET's escaping.
 */
export function canonicalJson(value) {
  if (value instanceof JsonNumber) return value.text;
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') return `{${Object.keys(value).sort().map(k => `${quote(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  return typeof value === 'string' ? quote(value) : JSON.stringify(value ?? null);
}

const sameAddress = (a, b) => {
  try {
    return !!a && !!b && getAddress(a) === getAddress(b);
  } catch {
    return false;
  }
};

function check(id, ok, detail = '') { return { id, ok, detail }; }

// The one typed data an attestation signs (OpenMcpChain.Sdk TaskOutcomeTypedData). As the SDK does, only a given
// typed data that is exactly this schema and domain is recovered, so no untrusted types reach the EIP-712 encoder.
const outcomeDomain = { name: 'OpenMCP-Chain', version: '1' };
const outcomeTypes = {
  TaskOutcome: [['taskId', 'string'], ['goalHash', 'bytes32'], ['resultHash', 'bytes32'], ['stepLogRoot', 'bytes32'],
    ['stepLogSize', 'uint256'], ['txHashes', 'string[]'], ['timestamp', 'uint256']].map(([name, type]) => ({ name, type })),
};
const outcomeSchema = canonicalJson({ EIP712Domain: [{ name: 'name', type: 'string' }, { name: 'version', type: 'string' }], ...outcomeTypes });

function recover(provenance) {
  if (provenance.scheme === 'eip191') return verifyMessage(provenance.message ?? '', provenance.signature);
  const typed = provenance.typed_data;
  if (provenance.scheme !== 'eip712' || typed?.primaryType !== 'TaskOutcome' || canonicalJson(typed.types) !== outcomeSchema
    || canonicalJson(typed.domain) !== canonicalJson(outcomeDomain) || Object.keys(typed.message ?? {}).length !== outcomeTypes.TaskOutcome.length) {
    throw new Error('typed_data is not a TaskOutcome');
  }
  return verifyTypedData(outcomeDomain, outcomeTypes, typed.message, provenance.signature);
}

/** The signature checks of an attestation: who signed it, and that the signed typed data is this task's outcome. */
async function signatureChecks(provenance, expectedSigner) {
  let recovered = null;
  try {
    recovered = recover(provenance);
  } catch {
    recovered = null;
  }
  const checks = [check('signature', sameAddress(recovered, expectedSigner) && sameAddress(provenance.signer, expectedSigner),
    { key: 'check.detail.recovered', recovered: recovered ?? '—', expected: expectedSigner ?? '—' })];
  if (provenance.scheme === 'eip712') {
    let bound = false;
    try {
      const readable = parseJson(provenance.message);
      const signed = provenance.typed_data.message;
      bound = signed.taskId === readable.task_id
        && signed.goalHash.toLowerCase() === keccak256(toUtf8Bytes(readable.goal)).toLowerCase()
        && signed.resultHash.toLowerCase() === keccak256(toUtf8Bytes(canonicalJson(readable.result))).toLowerCase();
    } catch {
      bound = false;
    }
    checks.push(check('binding', bound));
  }
  return checks;
}

/** The log entry hashes to its leaf hash and its path leads to root at size; returns [leafOk, inclusionOk]. */
async function entryProof(entry, stated, index, treeSize, path, root) {
  if (typeof entry !== 'string' || !hexPattern.test(stated ?? '') || !hexPattern.test(root ?? '')
    || !Array.isArray(path) || !path.every(p => hexPattern.test(p))) return [false, false];
  const leaf = await leafHash(new TextEncoder().encode(entry));
  const leafOk = hexOf(leaf) === stated.toLowerCase();
  const included = await verifyInclusion(index, treeSize, leaf, path.map(bytesOfHex), bytesOfHex(root));
  return [leafOk, included];
}

function recordsSignature(entry, signature) {
  try {
    return JSON.parse(entry).signature === signature;
  } catch {
    return false;
  }
}

/** What the log service says of the anchor of a tree of this size (null when it lists none). */
async function listedAnchor(treeSize, fetchJson) {
  try {
    const anchors = await fetchJson(`/api/v1/anchors?before_size=${BigInt(treeSize) + 1n}&limit=1`);
    return anchors.find(a => a.anchor.tree_size === treeSize) ?? null;
  } catch {
    return null;
  }
}

async function anchorCheck(anchor, treeSize, root, fetchJson) {
  if (!anchor) return check('anchor', false, { key: 'check.detail.noAnchor' });
  const listed = await listedAnchor(anchor.tree_size, fetchJson);
  const ok = anchor.tree_size === treeSize && (anchor.root ?? '').toLowerCase() === (root ?? '').toLowerCase()
    && listed !== null && listed.status === 'confirmed' && listed.anchor.tx_hash === anchor.tx_hash
    && listed.anchor.block_number === anchor.block_number && (listed.anchor.root ?? '').toLowerCase() === (root ?? '').toLowerCase();
  return check('anchor', ok, { key: 'check.detail.anchor', block: anchor.block_number, tx: anchor.tx_hash, status: listed?.status ?? '—' });
}

/** Every check of a task's provenance; each is {id, ok, detail}. */
export async function verifyProvenance(provenance, expectedSigner, fetchJson) {
  const checks = await signatureChecks(provenance, expectedSigner);
  const log = provenance.log ?? {};
  const [leafOk, included] = await entryProof(log.entry, log.leaf_hash, log.index, log.tree_size, log.inclusion_path, log.root);
  checks.push(check('leaf', leafOk), check('inclusion', included), check('entrySignature', recordsSignature(log.entry, provenance.signature)));
  checks.push(await anchorCheck(provenance.anchor, log.tree_size, log.root, fetchJson));
  return checks;
}

/** Every check of a proof bundle (attestation, signed tree head, each entry's proof, the anchor). */
export async function verifyBundle(bundle, expectedSigner, fetchJson) {
  const attestation = bundle.attestation;
  const head = bundle.tree_head ?? {};
  const checks = await signatureChecks(attestation, expectedSigner);
  let headOk = false;
  try {
    headOk = sameAddress(verifyMessage(head.message, head.signature), expectedSigner) && sameAddress(head.signer, expectedSigner)
      && head.message === canonicalJson({ tree_size: head.tree_size, root: head.root, timestamp: head.timestamp });
  } catch {
    headOk = false;
  }
  checks.push(check('treeHead', headOk));
  let all = Array.isArray(bundle.entries) && bundle.entries.length > 0;
  for (const e of bundle.entries ?? []) {
    const [leafOk, included] = await entryProof(e.entry, e.leaf_hash, e.index, head.tree_size, e.inclusion_path, head.root);
    all &&= leafOk && included;
  }
  checks.push(check('entries', all));
  checks.push(check('entrySignature', (bundle.entries ?? []).some(e => recordsSignature(e.entry, attestation.signature))));
  checks.push(await anchorCheck(bundle.anchor, head.tree_size, head.root, fetchJson));
  return checks;
}

/** What a pasted JSON is: {kind: 'bundle'|'provenance', value} or null. */
export function classify(json) {
  if (json && typeof json === 'object') {
    if (json.attestation && json.tree_head && Array.isArray(json.entries)) return { kind: 'bundle', value: json };
    if (json.signature && json.signer && json.log) return { kind: 'provenance', value: json };
    if (json.result?.provenance) return { kind: 'provenance', value: json.result.provenance };
  }
  return null;
}

// Compiles contracts/*.sol with solcjs (npm `solc`, no download) into contracts/build/<Name>.json
// ({abi, bytecode}). With --check it compiles and fails if the committed artifacts differ from the source.
const fs = require('fs');
const path = require('path');
const root = path.resolve(__dirname, '..');
const solc = require(path.join(root, 'tools', 'node_modules', 'solc'));

const dir = path.join(root, 'contracts');
const sources = {};
for (const file of fs.readdirSync(dir).filter(f => f.endsWith('.sol')).sort()) {
  sources[file] = { content: fs.readFileSync(path.join(dir, file), 'utf8') };
}
const input = {
  language: 'Solidity',
  sources,
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: 'paris',
    metadata: { bytecodeHash: 'none' },
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors || []).filter(e => e.severity === 'error');
if (errors.length) {
  console.error(errors.map(e => e.formattedMessage).join('\n'));
  process.exit(1);
}
const check = process.argv.includes('--check');
const build = path.join(dir, 'build');
fs.mkdirSync(build, { recursive: true });
let stale = false;
for (const [file, contracts] of Object.entries(output.contracts)) {
  for (const [name, c] of Object.entries(contracts)) {
    const artifact = JSON.stringify({
      contract: name, source: file, compiler: solc.version(),
      abi: c.abi, bytecode: '0x' + c.evm.bytecode.object, deployedBytecode: '0x' + c.evm.deployedBytecode.object,
    }, null, 2) + '\n';
    const target = path.join(build, `${name}.json`);
    if (check) {
      if (!fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== artifact) {
        console.error(`${path.relative(root, target)} does not match ${file}; run: node scripts/compile-contracts.js`);
        stale = true;
      }
    } else {
      fs.writeFileSync(target, artifact);
      console.log(`compiled ${file} → ${path.relative(root, target)}`);
    }
  }
}
process.exit(stale ? 1 : 0);

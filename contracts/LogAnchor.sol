// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @notice Anchors the OpenMCP-Chain transparency log on chain: the signer records signed tree heads (root, size),
/// each size larger than the last, and everyone can read them back from storage or from the Anchored events.
contract LogAnchor {
    /// @notice The ProofService signer, the only account that may anchor; published here for verifiers.
    address public immutable signer;
    uint256 public latestSize;
    bytes32 public latestRoot;
    mapping(uint256 => bytes32) public rootAt;

    event Anchored(bytes32 indexed root, uint256 indexed size, uint256 timestamp);

    constructor(address signer_) {
        require(signer_ != address(0), "LogAnchor: zero signer");
        signer = signer_;
    }

    function anchor(bytes32 root, uint256 size) external {
        require(msg.sender == signer, "LogAnchor: only the signer anchors");
        require(size > latestSize, "LogAnchor: size must grow");
        latestSize = size;
        latestRoot = root;
        rootAt[size] = root;
        emit Anchored(root, size, block.timestamp);
    }
}

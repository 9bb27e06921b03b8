// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @notice A minimal ERC-20 with a few extras the chain-layer tests need: a guarded write that
/// reverts with a reason, a payable deposit, and an event on every change.
contract TestToken {
    string public name;
    string public symbol;
    uint8 public constant decimals = 18;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    uint256 public counter;
    uint256[] private scratch;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    event CounterSet(address indexed by, uint256 value);
    event Deposited(address indexed from, uint256 amount);

    constructor(string memory name_, string memory symbol_, uint256 supply) {
        name = name_;
        symbol = symbol_;
        totalSupply = supply;
        balanceOf[msg.sender] = supply;
        emit Transfer(address(0), msg.sender, supply);
    }

    function transfer(address to, uint256 value) external returns (bool) {
        require(balanceOf[msg.sender] >= value, "TestToken: insufficient balance");
        balanceOf[msg.sender] -= value;
        balanceOf[to] += value;
        emit Transfer(msg.sender, to, value);
        return true;
    }

    function approve(address spender, uint256 value) external returns (bool) {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        require(balanceOf[from] >= value, "TestToken: insufficient balance");
        require(allowance[from][msg.sender] >= value, "TestToken: insufficient allowance");
        allowance[from][msg.sender] -= value;
        balanceOf[from] -= value;
        balanceOf[to] += value;
        emit Transfer(from, to, value);
        return true;
    }

    function setCounter(uint256 value) external {
        require(value < 1000, "TestToken: counter too large");
        counter = value;
        emit CounterSet(msg.sender, value);
    }

    /// @notice Uses about 22k gas a round, to exercise gas caps.
    function burnGas(uint256 rounds) external {
        for (uint256 i = 0; i < rounds; i++) scratch.push(i);
    }

    function deposit() external payable {
        require(msg.value > 0, "TestToken: nothing deposited");
        emit Deposited(msg.sender, msg.value);
    }
}

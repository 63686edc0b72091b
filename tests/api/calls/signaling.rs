//! The signaling socket: who may open it, and what bad input gets.

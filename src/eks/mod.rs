//! Amazon EKS: the bearer token kubectl gets from `hat eks token` ([`token`]), the
//! kubeconfig entries that run it ([`kubeconfig`]) and the DescribeCluster call that
//! fills them ([`cluster`]).

pub mod cluster;
pub mod kubeconfig;
pub mod token;

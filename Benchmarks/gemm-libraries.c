// One-off comparison behind the choice of oneDNN for every product (Sources/Kernels/BLAS.swift):
// oneDNN's matmul primitive (fp32, bf16) against OpenBLAS's sgemm at MiniLM's four linear-layer
// product shapes (20000 tokens × 384 × 1536), 2 threads. Results: Benchmarks/results/gemm-libraries.md.
// build: gcc -O2 Benchmarks/gemm-libraries.c -o /tmp/gemm-libraries -ldnnl -lopenblas -fopenmp
//        (apt-get install libdnnl-dev libopenblas-dev)
// run:   OMP_NUM_THREADS=2 /tmp/gemm-libraries
//        ONEDNN_MAX_CPU_ISA=AVX2 OPENBLAS_CORETYPE=Haswell OMP_NUM_THREADS=2 /tmp/gemm-libraries   (an AVX2-only CPU's kernels)
#include <oneapi/dnnl/dnnl.h>
#include <omp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <time.h>
#include <cblas.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
static dnnl_engine_t eng;
#define CK(x) do{dnnl_status_t st_=(x); if(st_){printf("err %d at %s\n",st_,#x);exit(1);}}while(0)
typedef struct { dnnl_primitive_t p; dnnl_memory_desc_t a,b,c; } mm_t;
static mm_t make(dnnl_data_type_t dt,int ta,int tb,long m,long n,long k,long lda,long ldb,long ldc,float beta){
  mm_t r; dnnl_dims_t da={m,k}, sa={ta?1:lda, ta?lda:1}, db={k,n}, sb={tb?1:ldb, tb?ldb:1}, dc={m,n}, sc={ldc,1};
  CK(dnnl_memory_desc_init_by_strides(&r.a,2,da,dt,sa));
  CK(dnnl_memory_desc_init_by_strides(&r.b,2,db,dt,sb));
  CK(dnnl_memory_desc_init_by_strides(&r.c,2,dc,dnnl_f32,sc));
  dnnl_matmul_desc_t d; CK(dnnl_matmul_desc_init(&d,&r.a,&r.b,NULL,&r.c));
  dnnl_primitive_attr_t at; CK(dnnl_primitive_attr_create(&at));
  if(beta!=0){dnnl_post_ops_t po; CK(dnnl_post_ops_create(&po)); CK(dnnl_post_ops_append_sum(po,beta)); CK(dnnl_primitive_attr_set_post_ops(at,po));}
  dnnl_primitive_desc_t pd; CK(dnnl_primitive_desc_create(&pd,&d,at,eng,NULL));
  const char* impl; dnnl_primitive_desc_query(pd,dnnl_query_impl_info_str,0,&impl);
  printf("  impl %s  ", impl);
  CK(dnnl_primitive_create(&r.p,pd)); return r;
}
static void run(mm_t*r,dnnl_stream_t s,const void*a,const void*b,float*c){
  dnnl_memory_t ma,mb,mc; CK(dnnl_memory_create(&ma,&r->a,eng,(void*)a));CK(dnnl_memory_create(&mb,&r->b,eng,(void*)b));CK(dnnl_memory_create(&mc,&r->c,eng,c));
  dnnl_exec_arg_t args[3]={{DNNL_ARG_SRC,ma},{DNNL_ARG_WEIGHTS,mb},{DNNL_ARG_DST,mc}};
  CK(dnnl_primitive_execute(r->p,s,3,args)); CK(dnnl_stream_wait(s));
  dnnl_memory_destroy(ma);dnnl_memory_destroy(mb);dnnl_memory_destroy(mc);
}
int main(int argc,char**argv){
  CK(dnnl_engine_create(&eng,dnnl_cpu,0)); dnnl_stream_t st; CK(dnnl_stream_create(&st,eng,dnnl_stream_default_flags));
  long N=20000,H=384,II=1536;
  float*x=malloc(4*N*II),*w=malloc(4*H*II),*y=malloc(4*N*II); for(long i=0;i<N*II;i++){x[i]=(i%97)*0.01f;y[i]=0;} for(long i=0;i<H*II;i++)w[i]=(i%89)*0.01f;
  // cases: fwd Y(N,II)=X(N,H)W(II,H)^T ; bwd dX(N,H)=dY(N,II) W(II,H); dW(II,H)=dY^T X
  struct {const char*name;int ta,tb;long m,n,k,lda,ldb,ldc;} cs[]={
   {"fwd  N,II,H tB",0,1,N,II,H,H,H,II},{"fwd2 N,H,II tB",0,1,N,H,II,II,II,H},{"dX   N,H,II  ",0,0,N,H,II,II,H,H},{"dW   II,H,N tA",1,0,II,H,N,II,H,H}};
  for(int dt=0;dt<2;dt++){
   for(int c=0;c<4;c++){
    printf("%s %s:",dt?"bf16":"f32 ",cs[c].name);
    mm_t r=make(dt?dnnl_bf16:dnnl_f32,cs[c].ta,cs[c].tb,cs[c].m,cs[c].n,cs[c].k,cs[c].lda,cs[c].ldb,cs[c].ldc,c==3?1.0f:0);
    run(&r,st,x,w,y); double t0=now(); int it=5; for(int i=0;i<it;i++) run(&r,st,x,w,y); double t=(now()-t0)/it;
    printf(" %.1f GFLOP/s\n", 2.0*cs[c].m*cs[c].n*cs[c].k/t/1e9);
   }
  }
  for(int c=0;c<4;c++){ double t0=now(); int it=5; for(int i=0;i<it;i++) cblas_sgemm(CblasRowMajor,cs[c].ta?CblasTrans:CblasNoTrans,cs[c].tb?CblasTrans:CblasNoTrans,cs[c].m,cs[c].n,cs[c].k,1,x,cs[c].lda,w,cs[c].ldb,c==3?1:0,y,cs[c].ldc); double t=(now()-t0)/it; printf("openblas %s %.1f GFLOP/s\n",cs[c].name,2.0*cs[c].m*cs[c].n*cs[c].k/t/1e9);}
  return 0;
}
